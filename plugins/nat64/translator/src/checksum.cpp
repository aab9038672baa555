#include "nat64/checksum.h"

#include <bit>
#include <cstring>

namespace nat64::csum {

uint32_t add(const uint8_t* p, size_t n, uint32_t acc) {
  // RFC 1071 §2(B): the ones' complement sum can be taken over native-order words and
  // byte-swapped once at the end. 32-bit loads into a 64-bit accumulator cannot overflow for
  // any packet size we handle.
  uint64_t s = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    uint32_t w;
    std::memcpy(&w, p + i, 4);
    s += w;
  }
  if (i + 2 <= n) {
    uint16_t w;
    std::memcpy(&w, p + i, 2);
    s += w;
    i += 2;
  }
  if (i < n) {
    const uint8_t tail[2] = {p[i], 0};
    uint16_t w;
    std::memcpy(&w, tail, 2);
    s += w;
  }
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  uint16_t r = static_cast<uint16_t>(s);
  if constexpr (std::endian::native == std::endian::little) r = static_cast<uint16_t>(r >> 8 | r << 8);
  return fold(acc + r);  // folded: callers keep adding into 32 bits
}

}  // namespace nat64::csum
