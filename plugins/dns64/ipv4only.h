#pragma once
// ipv4only.arpa, answered locally as RFC 8880 §7.2 asks of DNS64 servers, so that clients can
// discover the NAT64 prefix (RFC 7050) without any upstream query: A 192.0.0.170 and
// 192.0.0.171, AAAA those two synthesized, PTR from 170/171.0.0.192.in-addr.arpa back to
// ipv4only.arpa, and NODATA or NXDOMAIN with a SOA for everything else in those three zones.
#include <cstdint>
#include <vector>

#include "core/dns/message.h"
#include "core/dns/name.h"
#include "plugins/dns64/prefix.h"

namespace coredns::plugins::dns64 {

// True if `lower` is in one of the three zones (at or below their apex).
bool is_ipv4only_name(const dns::Name& lower);

struct LocalAnswer {
  std::vector<uint8_t> wire;
  uint16_t rcode;
  bool synthesized;  // AAAA records made with the prefix
};

// The answer to `query` for `lower` (is_ipv4only_name). `prefix` is null when this client is
// not served DNS64: AAAA then has no data, as without DNS64.
LocalAnswer answer_ipv4only(const dns::MessageView& query, const dns::Name& lower,
                            const Prefix64* prefix);

}  // namespace coredns::plugins::dns64
