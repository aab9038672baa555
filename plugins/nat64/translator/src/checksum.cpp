#include "checksum.h"

namespace nat64::csum {

uint32_t add(const uint8_t* p, size_t n, uint32_t acc) {
  // 64-bit accumulation keeps the loop free of carries for any packet size we handle.
  uint64_t s = acc;
  size_t i = 0;
  for (; i + 1 < n; i += 2) s += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
  if (i < n) s += static_cast<uint32_t>(p[i] << 8);
  while (s >> 32) s = (s & 0xffffffff) + (s >> 32);
  return fold(static_cast<uint32_t>(s));  // folded: callers keep adding into 32 bits
}

}  // namespace nat64::csum
