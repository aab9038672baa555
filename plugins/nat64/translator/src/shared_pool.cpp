#include "nat64/shared_pool.h"

namespace nat64 {

SharedPool::SharedPool(Prefix4 range, std::function<bool(V4)> claimed) : range_(range), pool_(range, std::move(claimed)) {}

std::optional<V6> SharedPool::active_v6(V4 a, int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  Lease* l = pool_.find_active_v4(a);
  if (!l) return std::nullopt;
  l->last_use = now;
  return l->v6;
}

std::optional<V4> SharedPool::active_v4(const V6& a, int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  Lease* l = pool_.find_active_v6(a);
  if (!l) return std::nullopt;
  l->last_use = now;
  return l->v4;
}

std::optional<V4> SharedPool::allocate(const V6& a, int64_t now, PoolEvent& ev) {
  std::lock_guard<std::mutex> lock(mu_);
  Lease* l = pool_.allocate(a, now, ev);
  // A takeover ends the previous host's mapping.
  if (ev == PoolEvent::reassigned) generation_.fetch_add(1, std::memory_order_release);
  if (!l) return std::nullopt;
  return l->v4;
}

bool SharedPool::touch(V4 v4, const V6& v6, int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  Lease* l = pool_.find_active_v4(v4);
  if (!l || !(l->v6 == v6)) return false;
  l->last_use = now;
  return true;
}

}  // namespace nat64
