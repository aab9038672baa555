#pragma once
// A map from key hash to slot number for one shard: open addressing with linear probing over
// hashes that are already well mixed, deletion by backward shift (no tombstones). It grows with
// the shard, so a large configured capacity costs nothing until it is used.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace coredns::plugins::cache {

class SlotIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  uint32_t find(uint64_t hash) const;
  // Adds or repoints `hash`.
  void set(uint64_t hash, uint32_t slot);
  void erase(uint64_t hash);
  size_t size() const { return count_; }

 private:
  struct Cell {
    uint64_t hash = 0;
    uint32_t slot = kNone;  // kNone: empty
  };
  // The shard number took the low 8 bits, which are therefore equal within a shard.
  size_t home(uint64_t hash) const { return (hash >> 8) & (cells_.size() - 1); }
  void grow();

  std::vector<Cell> cells_;
  size_t count_ = 0;
};

}  // namespace coredns::plugins::cache
