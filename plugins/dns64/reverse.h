#pragma once
// PTR queries for addresses under the NAT64 prefix (RFC 6147 §5.3.1): the ip6.arpa name is
// answered with a CNAME to the in-addr.arpa name of the embedded IPv4 address, and the PTR
// lookup of that name is appended.
#include <cstdint>
#include <optional>
#include <vector>

#include "core/dns/message.h"
#include "core/dns/name.h"
#include "plugins/dns64/prefix.h"

namespace coredns::plugins::dns64 {

// The address a full ip6.arpa name spells (32 nibble labels, lower case), if it is one.
std::optional<Ipv6> parse_ip6_arpa(const dns::Name& lower);

// "d.c.b.a.in-addr.arpa."
dns::Name in_addr_arpa(const Ipv4& v4);

// The TTL of the synthesized CNAME: it changes only with the configuration.
inline constexpr uint32_t kCnameTtl = 600;

// The reply to the client's PTR `query`: CNAME from the question's name to `target`, then the
// answer, authority and additional sections of `lookup` (the PTR lookup of `target`), with its
// rcode and TC. Returns the rcode.
uint16_t assemble_reverse(std::vector<uint8_t>& out, const dns::MessageView& query,
                          const dns::Name& target, const dns::MessageView& lookup);

}  // namespace coredns::plugins::dns64
