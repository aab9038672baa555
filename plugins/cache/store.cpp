#include "plugins/cache/store.h"

namespace coredns::plugins::cache {

std::unique_ptr<Entry> Part::remove(uint64_t hash) {
  const uint32_t slot = index_.find(hash);
  if (slot == SlotIndex::kNone) return nullptr;
  index_.erase(hash);
  std::unique_ptr<Entry> out = std::move(slots_[slot]);
  // Keep the slots dense: the last one moves into the hole.
  const uint32_t last = static_cast<uint32_t>(slots_.size() - 1);
  if (slot != last) {
    slots_[slot] = std::move(slots_[last]);
    index_.set(slots_[slot]->hash, slot);
  }
  slots_.pop_back();
  if (hand_ >= slots_.size()) hand_ = 0;
  return out;
}

Store::Store(int64_t success_capacity, int64_t denial_capacity) {
  shards_.reserve(kShards);
  for (size_t i = 0; i < kShards; ++i)
    shards_.push_back(std::make_unique<Shard>(shard_capacity(success_capacity),
                                              shard_capacity(denial_capacity)));
}

}  // namespace coredns::plugins::cache
