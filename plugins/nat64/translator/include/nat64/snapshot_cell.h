// An immutable value that one writer thread replaces now and then (the map-file maps, on
// SIGHUP) while worker threads read it on every packet, without a lock or a reference count on
// the packet path. Readers pin the current snapshot when they wake up and let go of it before
// they sleep; a replaced snapshot is freed once every reader has let go of it or moved on
// (quiescent-state reclamation).
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace nat64 {

template <class T>
class SnapshotCell {
 public:
  static constexpr size_t kMaxReaders = 256;

  // One reader thread's registration.
  class Reader {
   public:
    Reader() = default;
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;
    ~Reader() { release(); }

    // The current snapshot, valid until leave() or the next enter().
    const T* enter() {
      slot_->store(cell_->epoch_.load());
      return cell_->current_.load();
    }
    // The reader holds no snapshot until its next enter() (call it before blocking).
    void leave() { slot_->store(kIdle); }

   private:
    friend class SnapshotCell;
    void release() {
      if (slot_) slot_->store(kFree);
      slot_ = nullptr;
    }
    SnapshotCell* cell_ = nullptr;
    std::atomic<uint64_t>* slot_ = nullptr;
  };

  explicit SnapshotCell(std::shared_ptr<const T> first) : owner_(std::move(first)), current_(owner_.get()) {
    for (auto& s : slots_) s.store(kFree);
  }
  SnapshotCell(const SnapshotCell&) = delete;
  SnapshotCell& operator=(const SnapshotCell&) = delete;

  // For the writer thread, and for threads that are not registered readers but never run at
  // the same time as the writer (start-up, tests).
  const T* current() const { return current_.load(); }
  // Writer thread: the current snapshot with shared ownership, for holders outside the packet
  // path that must keep it alive on their own.
  std::shared_ptr<const T> current_shared() const { return owner_; }

  // Registers `r` as a reader (idle until its first enter()). False when all slots are taken.
  bool attach(Reader& r) {
    for (auto& s : slots_) {
      uint64_t expected = kFree;
      if (s.compare_exchange_strong(expected, kIdle)) {
        r.release();
        r.cell_ = this;
        r.slot_ = &s;
        return true;
      }
    }
    return false;
  }

  // Writer thread: makes `next` current; the previous snapshot is released by a later
  // reclaim() once no reader can hold it.
  void publish(std::shared_ptr<const T> next) {
    current_.store(next.get());
    const uint64_t e = epoch_.fetch_add(1) + 1;
    retired_.emplace_back(std::move(owner_), e);
    owner_ = std::move(next);
    reclaim();
  }

  // Writer thread: releases the replaced snapshots no reader can still hold.
  void reclaim() {
    uint64_t oldest = kIdle;
    for (const auto& s : slots_) oldest = std::min(oldest, s.load());
    std::erase_if(retired_, [oldest](const auto& r) { return r.second <= oldest; });
  }
  size_t retired() const { return retired_.size(); }

 private:
  // Slot values: the epoch a reader entered in, or one of these (both above any epoch, so
  // they never hold a snapshot back).
  static constexpr uint64_t kIdle = ~uint64_t(0) - 1, kFree = ~uint64_t(0);

  // Sequentially consistent throughout: a reader that stored an epoch older than a publish
  // is either seen by that publish's reclaim, or loads the new snapshot.
  std::shared_ptr<const T> owner_;
  std::atomic<const T*> current_;
  std::atomic<uint64_t> epoch_{0};
  std::array<std::atomic<uint64_t>, kMaxReaders> slots_;
  std::vector<std::pair<std::shared_ptr<const T>, uint64_t>> retired_;
};

}  // namespace nat64
