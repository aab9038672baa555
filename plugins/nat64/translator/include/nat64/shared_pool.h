// The dynamic pool as the workers share it: every lease operation takes one mutex, and a
// generation number changes whenever an existing mapping may have ended (a lease gone dormant,
// freed or taken over), so each worker can cache lookups (LeaseCache) and take the lock only for
// a new mapping or to refresh a lease's last use once a second.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>

#include "nat64/dynamic_pool.h"

namespace nat64 {

class SharedPool {
 public:
  SharedPool(Prefix4 range, std::function<bool(V4)> claimed);

  // The range never changes: no lock.
  bool contains(V4 a) const { return range_.contains(a); }
  const Prefix4& range() const { return range_; }

  // The IPv6 host of an active lease (IPv4 -> IPv6); refreshes its last use.
  std::optional<V6> active_v6(V4 a, int64_t now);
  // The address of an active lease (IPv6 -> IPv4); refreshes its last use.
  std::optional<V4> active_v4(const V6& a, int64_t now);
  // DynamicPool::allocate: the host's lease, reactivated or new; nullopt when exhausted.
  std::optional<V4> allocate(const V6& a, int64_t now, PoolEvent& ev);
  // Refreshes the last use of the lease v4 <-> v6; false when that lease no longer exists.
  bool touch(V4 v4, const V6& v6, int64_t now);

  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  // Maintenance, loading, claims: anything may change, so cached lookups are invalidated.
  template <class F>
  decltype(auto) modify(F&& f) {
    std::lock_guard<std::mutex> lock(mu_);
    struct Bump {
      std::atomic<uint64_t>& g;
      ~Bump() { g.fetch_add(1, std::memory_order_release); }
    } bump{generation_};
    return f(pool_);
  }
  // Statistics and persistence: no lease changes (mark_saved is bookkeeping).
  template <class F>
  decltype(auto) locked(F&& f) {
    std::lock_guard<std::mutex> lock(mu_);
    return f(pool_);
  }

 private:
  Prefix4 range_;
  std::mutex mu_;
  DynamicPool pool_;
  std::atomic<uint64_t> generation_{1};
};

}  // namespace nat64
