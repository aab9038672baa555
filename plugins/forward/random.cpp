#include "plugins/forward/random.h"

#include <sys/random.h>

#include <cstring>

namespace coredns::plugins::forward {
namespace {

struct SecurePool {
  uint8_t bytes[1024];
  size_t used = sizeof bytes;

  void refill() {
    size_t got = 0;
    while (got < sizeof bytes) {
      ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
      if (n > 0) got += static_cast<size_t>(n);
    }
    used = 0;
  }
};

thread_local SecurePool t_pool;

uint64_t splitmix(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t seed() {
  uint64_t s = 0;
  while (getrandom(&s, sizeof s, 0) != sizeof s) {
  }
  return s;
}

thread_local uint64_t t_state = seed();

}  // namespace

uint16_t secure_random_u16() {
  if (t_pool.used + 2 > sizeof t_pool.bytes) t_pool.refill();
  uint16_t v;
  std::memcpy(&v, t_pool.bytes + t_pool.used, 2);
  t_pool.used += 2;
  return v;
}

uint32_t fast_random_below(uint32_t n) {
  // Lemire's multiply-shift: unbiased enough for picking among at most 15 upstreams.
  return static_cast<uint32_t>(((splitmix(t_state) >> 32) * n) >> 32);
}

}  // namespace coredns::plugins::forward
