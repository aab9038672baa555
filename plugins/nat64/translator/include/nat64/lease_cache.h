// One worker's cache of dynamic-pool lookups, in both directions. A hit costs a compare and a
// read of the pool's generation number; the pool's lock is taken on a miss, and once a second
// per cached lease to keep its last use (and so its lifetime) current.
#pragma once

#include <array>
#include <optional>

#include "nat64/shared_pool.h"

namespace nat64 {

class LeaseCache {
 public:
  explicit LeaseCache(SharedPool& pool) : pool_(pool) {}

  std::optional<V6> v6_of(V4 a, int64_t now);
  std::optional<V4> v4_of(const V6& a, int64_t now);
  std::optional<V4> allocate(const V6& a, int64_t now, PoolEvent& ev);

 private:
  static constexpr size_t kSize = 256;  // direct-mapped, per direction
  struct Entry {
    V6 v6;
    V4 v4 = 0;
    uint64_t generation = 0;  // 0: empty (the pool's generation starts at 1)
    int64_t touched = 0;      // last use reported to the pool (seconds)
  };
  static size_t slot(V4 a) { return (a * 0x9e3779b1u) >> 24; }
  static size_t slot(const V6& a) { return V6Hash{}(a) & (kSize - 1); }
  // A hit when the entry is current; reports the use to the pool once a second.
  bool fresh(Entry& e, uint64_t gen, int64_t now);
  void remember(V4 v4, const V6& v6, uint64_t gen, int64_t now);

  SharedPool& pool_;
  std::array<Entry, kSize> by_v4_{}, by_v6_{};
};

}  // namespace nat64
