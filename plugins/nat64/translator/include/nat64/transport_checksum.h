// The transport checksum of a translated packet, both directions: TCP and UDP checksums cover a
// pseudo-header with the IP addresses, so they change with them (RFC 7915 §4.5 and §5.5); an ICMP
// echo changes type and gains or loses ICMPv6's pseudo-header (RFC 7915 §4.2 and §5.2).
#pragma once

#include <cstdint>

#include "nat64/ip.h"

namespace nat64 {

// What a translation changes under a transport checksum.
struct ChecksumDelta {
  uint32_t old_addrs = 0, new_addrs = 0;  // sums of the source and destination addresses
  uint32_t icmpv6_pseudo = 0;              // the ICMPv6 pseudo-header sum (ICMPv4 has none)
  bool to_v6 = false;

  static ChecksumDelta v4_to_v6(V4 s4, V4 d4, const V6& s6, const V6& d6, uint32_t l4_total);
  static ChecksumDelta v6_to_v4(const V6& s6, const V6& d6, V4 s4, V4 d4, uint32_t l4_total);
};

// Updates, in place, the transport header of a first fragment (or a whole packet) of `avail`
// bytes present: the TCP or UDP checksum by RFC 1624 (a UDP checksum of zero, none, stays zero),
// or an ICMP echo's type and checksum. `partial`: the TCP/UDP checksum field holds a
// pseudo-header seed (virtio NEEDS_CSUM). Returns false for an ICMP message that is not an
// echo or too short to carry its checksum: the packet is not translated.
bool update_transport(uint8_t proto, uint8_t* l4, uint32_t avail, const ChecksumDelta& d, bool partial = false);

}  // namespace nat64
