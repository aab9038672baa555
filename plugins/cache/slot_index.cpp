#include "plugins/cache/slot_index.h"

namespace coredns::plugins::cache {

uint32_t SlotIndex::find(uint64_t hash) const {
  if (cells_.empty()) return kNone;
  const size_t mask = cells_.size() - 1;
  for (size_t i = home(hash);; i = (i + 1) & mask) {
    const Cell& c = cells_[i];
    if (c.slot == kNone) return kNone;
    if (c.hash == hash) return c.slot;
  }
}

void SlotIndex::set(uint64_t hash, uint32_t slot) {
  if ((count_ + 1) * 4 > cells_.size() * 3) grow();
  const size_t mask = cells_.size() - 1;
  for (size_t i = home(hash);; i = (i + 1) & mask) {
    Cell& c = cells_[i];
    if (c.slot == kNone) {
      c = {hash, slot};
      ++count_;
      return;
    }
    if (c.hash == hash) {
      c.slot = slot;
      return;
    }
  }
}

void SlotIndex::erase(uint64_t hash) {
  if (cells_.empty()) return;
  const size_t mask = cells_.size() - 1;
  size_t i = home(hash);
  while (true) {
    if (cells_[i].slot == kNone) return;
    if (cells_[i].hash == hash) break;
    i = (i + 1) & mask;
  }
  // Backward shift: pull later cells of the probe run into the hole unless that would move
  // one before its home position.
  size_t hole = i;
  for (size_t j = (i + 1) & mask; cells_[j].slot != kNone; j = (j + 1) & mask) {
    const size_t h = home(cells_[j].hash);
    const bool movable = hole <= j ? (h <= hole || h > j) : (h <= hole && h > j);
    if (movable) {
      cells_[hole] = cells_[j];
      hole = j;
    }
  }
  cells_[hole] = Cell{};
  --count_;
}

void SlotIndex::grow() {
  std::vector<Cell> old;
  old.swap(cells_);
  cells_.resize(old.empty() ? 16 : old.size() * 2);
  count_ = 0;
  for (const Cell& c : old)
    if (c.slot != kNone) set(c.hash, c.slot);
}

}  // namespace coredns::plugins::cache
