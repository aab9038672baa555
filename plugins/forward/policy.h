#pragma once
// The order in which one query tries the upstreams (CoreDNS's plugin/forward/policy.go).
#include <array>
#include <atomic>
#include <cstdint>

#include "plugins/forward/config.h"

namespace coredns::plugins::forward {

// Upstream indexes for one query, with no allocation.
struct Order {
  std::array<uint8_t, kMaxUpstreams> index{};
  uint8_t size = 0;
  uint8_t operator[](size_t i) const { return index[i]; }
};

class Selector {
 public:
  Selector(Policy policy, size_t upstreams) : policy_(policy), n_(static_cast<uint8_t>(upstreams)) {}
  Order order();

 private:
  Policy policy_;
  uint8_t n_;
  // round_robin's shared counter; the first query starts with the second upstream.
  std::atomic<uint32_t> counter_{0};
};

}  // namespace coredns::plugins::forward
