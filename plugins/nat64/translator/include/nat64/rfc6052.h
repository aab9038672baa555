// RFC 6052 §2.2: IPv4 addresses embedded in IPv6 prefixes of length 32, 40, 48, 56, 64 or 96.
#pragma once

#include "nat64/ip.h"

namespace nat64::rfc6052 {

inline bool valid_length(int len) {
  return len == 32 || len == 40 || len == 48 || len == 56 || len == 64 || len == 96;
}

// The IPv4 bytes fill the bytes after the prefix, skipping byte 8 (bits 64-71, the "u" octet);
// the u octet and the suffix are zero.
inline V6 embed(const Prefix6& p, V4 a) {
  V6 r = p.addr;
  size_t pos = static_cast<size_t>(p.len / 8);
  for (int shift = 24; shift >= 0; shift -= 8) {
    if (pos == 8) r.b[pos++] = 0;
    r.b[pos++] = static_cast<uint8_t>(a >> shift);
  }
  return r;
}

// Reads the IPv4 bytes back. The u octet and the suffix are ignored, not checked (RFC 6052
// §2.2 says they SHOULD be ignored on reception).
inline V4 extract(const Prefix6& p, const V6& a) {
  size_t pos = static_cast<size_t>(p.len / 8);
  V4 r = 0;
  for (int i = 0; i < 4; ++i) {
    if (pos == 8) ++pos;
    r = r << 8 | a.b[pos++];
  }
  return r;
}

}  // namespace nat64::rfc6052
