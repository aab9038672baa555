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

// The most a reply to `query` may weigh: 65535 on TCP, else max(512, EDNS size) or 512.
uint16_t reply_size_limit(const MessageView& query, bool tcp);

// Rewrites `reply` in place. Leaves it untouched if it does not parse.
void scrub_reply(std::vector<uint8_t>& reply, const MessageView& query, const ClientLimits& limits);

}  // namespace coredns::dns
