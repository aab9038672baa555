#pragma once
// The two caches (positive and negative), each split into 256 shards as CoreDNS's: a shard holds
// at most max(CAPACITY / 256, 4) items. Both caches' share of a shard sits behind one lock, so a
// lookup (which may look at both) takes a single, rarely contended mutex and no global one.
//
// Eviction happens only when a new key meets a full shard. The victim is chosen by CLOCK: the
// hand skips (and clears) entries hit since it last passed, and takes an entry that can no longer
// be served (expired beyond the stale window) at once. CoreDNS takes a random item instead.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "plugins/cache/entry.h"
#include "plugins/cache/key.h"
#include "plugins/cache/slot_index.h"

namespace coredns::plugins::cache {

inline constexpr size_t kShards = 256;

// Items one shard may hold for a configured capacity (which is not range-checked).
constexpr size_t shard_capacity(int64_t capacity) {
  const int64_t per = capacity / static_cast<int64_t>(kShards);
  return per < 4 ? 4 : static_cast<size_t>(per);
}

// One cache's share of a shard.
class Part {
 public:
  explicit Part(size_t capacity) : capacity_(capacity) {}

  Entry* find(uint64_t hash) const {
    const uint32_t slot = index_.find(hash);
    return slot == SlotIndex::kNone ? nullptr : slots_[slot].get();
  }

  struct Put {
    std::unique_ptr<Entry> dropped;  // the replaced or evicted entry (freed outside the lock)
    bool evicted = false;
  };
  // Stores `e`, replacing the entry with the same hash. `dead(const Entry&)` tells entries that
  // can no longer be served, which CLOCK evicts first.
  template <typename Dead>
  Put put(std::unique_ptr<Entry> e, Dead&& dead);

  std::unique_ptr<Entry> remove(uint64_t hash);
  size_t size() const { return slots_.size(); }
  size_t capacity() const { return capacity_; }

 private:
  template <typename Dead>
  size_t pick_victim(Dead&& dead);

  size_t capacity_;
  SlotIndex index_;
  std::vector<std::unique_ptr<Entry>> slots_;
  size_t hand_ = 0;
};

struct alignas(64) Shard {
  Shard(size_t success_cap, size_t denial_cap) : success(success_cap), denial(denial_cap) {}
  std::mutex mu;
  Part success;
  Part denial;
  Part& part(Kind k) { return k == Kind::success ? success : denial; }
};

class Store {
 public:
  Store(int64_t success_capacity, int64_t denial_capacity);

  Shard& shard(uint64_t hash) { return *shards_[hash & (kShards - 1)]; }
  // Items in each cache, kept up to date by the callers of put/remove (for the entries gauge).
  std::atomic<int64_t>& count(Kind k) { return counts_[k == Kind::success ? 0 : 1]; }

 private:
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<int64_t> counts_[2] = {0, 0};
};

template <typename Dead>
Part::Put Part::put(std::unique_ptr<Entry> e, Dead&& dead) {
  Put out;
  const uint64_t hash = e->hash;
  const uint32_t existing = index_.find(hash);
  if (existing != SlotIndex::kNone) {
    out.dropped = std::exchange(slots_[existing], std::move(e));
    return out;
  }
  if (slots_.size() < capacity_) {
    index_.set(hash, static_cast<uint32_t>(slots_.size()));
    slots_.push_back(std::move(e));
    return out;
  }
  const size_t victim = pick_victim(dead);
  index_.erase(slots_[victim]->hash);
  index_.set(hash, static_cast<uint32_t>(victim));
  out.dropped = std::exchange(slots_[victim], std::move(e));
  out.evicted = true;
  return out;
}

template <typename Dead>
size_t Part::pick_victim(Dead&& dead) {
  // Two turns at most: the first clears every reference bit it passes.
  for (size_t n = 0; n < 2 * slots_.size(); ++n) {
    const size_t at = hand_;
    hand_ = (hand_ + 1) % slots_.size();
    Entry& c = *slots_[at];
    if (dead(c) || !c.referenced) return at;
    c.referenced = false;
  }
  return hand_;
}

}  // namespace coredns::plugins::cache
