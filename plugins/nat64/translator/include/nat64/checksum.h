// Internet checksum arithmetic (RFC 1071) and incremental updates (RFC 1624).
#pragma once

#include <cstddef>
#include <bit>
#include <cstdint>
#include <cstring>

#include "nat64/ip.h"

namespace nat64::csum {

// Adds the bytes as big-endian 16-bit words to a 32-bit accumulator (an odd tail is padded).
uint32_t add(const uint8_t* p, size_t n, uint32_t acc = 0);

inline uint16_t fold(uint32_t s) {
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  return static_cast<uint16_t>(s);
}
// The value to store in a checksum field after summing everything it covers.
inline uint16_t finish(uint32_t s) { return static_cast<uint16_t>(~fold(s)); }

inline uint32_t add_v4(V4 a) { return (a >> 16) + (a & 0xffff); }

// A sum of native-order 32-bit words folded to 16 bits and swapped to network order once
// (RFC 1071 §2B): the tail of the loop-free sums below.
inline uint32_t fold_native(uint64_t s) {
  s = (s & 0xffffffff) + (s >> 32);
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  uint16_t r = static_cast<uint16_t>(s);
  if constexpr (std::endian::native == std::endian::little) r = static_cast<uint16_t>(r >> 8 | r << 8);
  return r;
}

// An IPv6 address's sum without a loop: two native loads.
inline uint32_t add_v6(const V6& a) {
  uint64_t x, y;
  std::memcpy(&x, a.b.data(), 8);
  std::memcpy(&y, a.b.data() + 8, 8);
  return fold_native((x & 0xffffffff) + (x >> 32) + (y & 0xffffffff) + (y >> 32));
}

// The sum of a 20-byte IPv4 header (no options): five native 32-bit loads, no loop. Used on
// every IPv4 packet, in and out, so it is worth not calling add().
inline uint32_t add_ipv4_header(const uint8_t* p) {
  uint64_t s = 0;
  for (int i = 0; i < 5; ++i) {
    uint32_t w;
    std::memcpy(&w, p + 4 * i, 4);
    s += w;
  }
  return fold_native(s);
}

// RFC 1624 eqn. 3: the field's new value when data summing to old_sum is replaced by data
// summing to new_sum. Never yields 0xffff from a valid checksum unless the sum really is zero.
inline uint16_t update(uint16_t field, uint32_t old_sum, uint32_t new_sum) {
  uint32_t s = static_cast<uint16_t>(~field);
  s += static_cast<uint16_t>(~fold(old_sum));
  s += fold(new_sum);
  return static_cast<uint16_t>(~fold(s));
}

// A partial checksum (virtio NEEDS_CSUM) holds the folded pseudo-header sum itself, not its
// complement; the device adds the transport bytes later. Replacing addresses changes it by the
// same difference, without the complements.
inline uint16_t update_partial(uint16_t seed, uint32_t old_sum, uint32_t new_sum) {
  return static_cast<uint16_t>(~update(static_cast<uint16_t>(~seed), old_sum, new_sum));
}

// Pseudo-header sums (RFC 768/793 for IPv4, RFC 8200 §8.1 for IPv6).
inline uint32_t pseudo4(V4 src, V4 dst, uint8_t proto, uint32_t len) {
  return add_v4(src) + add_v4(dst) + proto + len;
}
inline uint32_t pseudo6(const V6& src, const V6& dst, uint8_t next, uint32_t len) {
  return add_v6(src) + add_v6(dst) + (len >> 16) + (len & 0xffff) + next;
}

}  // namespace nat64::csum
