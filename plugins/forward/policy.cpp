#include "plugins/forward/policy.h"

#include <utility>

#include "plugins/forward/random.h"

namespace coredns::plugins::forward {

Order Selector::order() {
  Order o;
  o.size = n_;
  for (uint8_t i = 0; i < n_; ++i) o.index[i] = i;
  switch (policy_) {
    case Policy::sequential:
      break;
    case Policy::random:
      if (n_ == 2) {
        if (fast_random_below(2)) std::swap(o.index[0], o.index[1]);
      } else {
        for (uint8_t i = n_; i > 1; --i) std::swap(o.index[i - 1], o.index[fast_random_below(i)]);
      }
      break;
    case Policy::round_robin: {
      const uint32_t first = (counter_.fetch_add(1, std::memory_order_relaxed) + 1) % n_;
      // The element at `first`, then those before it, then those after it.
      uint8_t k = 0;
      o.index[k++] = static_cast<uint8_t>(first);
      for (uint32_t i = 0; i < first; ++i) o.index[k++] = static_cast<uint8_t>(i);
      for (uint32_t i = first + 1; i < n_; ++i) o.index[k++] = static_cast<uint8_t>(i);
      break;
    }
  }
  return o;
}

}  // namespace coredns::plugins::forward
