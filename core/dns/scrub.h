#pragma once
// CoreDNS's "scrub writer": every reply a client receives first has its EDNS0 OPT normalised to
// the query's, then is truncated at record boundaries to what the client can receive.
#include <cstdint>
#include <span>
#include <vector>

#include "core/dns/message.h"

namespace coredns::dns {

struct ClientLimits {
  bool tcp = false;
  // EDNS option codes echoed from the query when the reply has no OPT of its own, beyond the
  // built-in NSID, EXPIRE, COOKIE, TCP-KEEPALIVE and PADDING.
  std::span<const uint16_t> extra_echoed_options;
};

// A COOKIE option in the query whose length is neither 8 (client cookie) nor 16 to 40 (client
// and server cookie): RFC 7873 §5.2.2 answers such a query with FORMERR.
bool malformed_cookie(const OptView& query_opt);

// The most a reply to `query` may weigh: 65535 on TCP, else max(512, EDNS size) or 512.
uint16_t reply_size_limit(const MessageView& query, bool tcp);

// Rewrites `reply` in place: CD copied from the query, the OPT normalised, and the reply cut to
// the client's size (the OPT's options are dropped first, then whole records, setting TC).
// Leaves it untouched if it does not parse. `plain`: the writer vouches that `reply` parses, has
// no OPT record and nothing after its last record, so a reply that fits is not parsed at all.
void scrub_reply(std::vector<uint8_t>& reply, const MessageView& query, const ClientLimits& limits,
                 bool plain = false);

}  // namespace coredns::dns
