// Which addresses may appear in translated packets (docs/nat64.md, "Address classes") and which IPv4
// addresses count as non-global for the Well-Known Prefix (RFC 6052 §3.1).
#pragma once

#include "nat64/ip.h"

namespace nat64 {

// Never translated: this network (0/8), loopback, multicast and the limited broadcast. Class E
// (240/4) is allowed, as apalrd/tayga allows it.
inline bool v4_is_invalid(V4 a) {
  return (a >> 24) == 0 || (a >> 24) == 127 || (a >> 28) == 0xe || a == 0xffffffffu;
}

// Link-local: accepted with a warning in the config, never translated in packets.
inline bool v4_is_link_local(V4 a) { return (a >> 16) == 0xa9fe; }

// Dropped without an ICMP error wherever a packet carries them, as source or destination, outer
// or inner, in either direction (docs/nat64.md, "Address classes"): the invalid ranges and
// link-local, as Tayga drops them.
inline bool v4_is_dropped(V4 a) { return v4_is_invalid(a) || v4_is_link_local(a); }

// RFC 6052 §3.1 forbids the WKP for non-global IPv4. The ranges are Tayga's (docs/nat64.md,
// "Address classes"): RFC 1918, RFC 6598's 100.64/10, the documentation and benchmarking
// ranges, and the ones dropped anyway. 192.0.0.0/29 (DS-Lite, the RFC 7335 CLAT range of
// IPv6-mostly clients) and 192.88.99.0/24 are translated.
inline bool v4_is_non_global(V4 a) {
  struct Range { V4 net; int len; };
  static constexpr Range ranges[] = {
      {0x00000000, 8},  {0x0a000000, 8},  {0x64400000, 10}, {0x7f000000, 8},
      {0xa9fe0000, 16}, {0xac100000, 12}, {0xc0000200, 24}, {0xc0a80000, 16},
      {0xc6120000, 15}, {0xc6336400, 24}, {0xcb007100, 24}, {0xe0000000, 4},
  };
  for (const auto& r : ranges)
    if ((a & mask4(r.len)) == r.net) return true;
  return false;
}

// ::/8 (unspecified, loopback, IPv4-mapped and -compatible) except 64:ff9b::/32 (RFC 6052
// and RFC 8215 prefixes), link-local and multicast.
inline bool v6_is_invalid(const V6& a) {
  if (a.b[0] == 0xff) return true;
  if (a.b[0] == 0xfe && (a.b[1] & 0xc0) == 0x80) return true;
  if (a.b[0] == 0) return !(a.b[1] == 0x64 && a.b[2] == 0xff && a.b[3] == 0x9b);
  return false;
}

inline bool is_well_known_prefix(const Prefix6& p) {
  static const V6 wkp = {{0x00, 0x64, 0xff, 0x9b}};
  return p.len == 96 && p.addr == wkp;
}

}  // namespace nat64
