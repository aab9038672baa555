#include "nat64/lease_cache.h"

namespace nat64 {

bool LeaseCache::fresh(Entry& e, uint64_t gen, int64_t now) {
  if (e.generation != gen) return false;
  if (e.touched != now) {
    if (!pool_.touch(e.v4, e.v6, now)) {
      e.generation = 0;
      return false;
    }
    e.touched = now;
  }
  return true;
}

void LeaseCache::remember(V4 v4, const V6& v6, uint64_t gen, int64_t now) {
  by_v4_[slot(v4)] = {v6, v4, gen, now};
  by_v6_[slot(v6)] = {v6, v4, gen, now};
}

std::optional<V6> LeaseCache::v6_of(V4 a, int64_t now) {
  // The generation is read before the pool: a change in between leaves the entry stale, never
  // wrongly fresh.
  const uint64_t gen = pool_.generation();
  Entry& e = by_v4_[slot(a)];
  if (e.v4 == a && fresh(e, gen, now)) return e.v6;
  auto v6 = pool_.active_v6(a, now);
  if (v6) remember(a, *v6, gen, now);
  return v6;
}

std::optional<V4> LeaseCache::v4_of(const V6& a, int64_t now) {
  const uint64_t gen = pool_.generation();
  Entry& e = by_v6_[slot(a)];
  if (e.v6 == a && fresh(e, gen, now)) return e.v4;
  auto v4 = pool_.active_v4(a, now);
  if (v4) remember(*v4, a, gen, now);
  return v4;
}

std::optional<V4> LeaseCache::allocate(const V6& a, int64_t now, PoolEvent& ev) {
  const uint64_t gen = pool_.generation();
  auto v4 = pool_.allocate(a, now, ev);
  if (v4) remember(*v4, a, gen, now);
  return v4;
}

}  // namespace nat64
