#pragma once
// One immutable value that readers on the worker threads use without locks and a writer
// replaces: the writer swaps the pointer, waits until every reader that could still see the old
// value is done (each thread counts its readers in its own cache line), and frees it. So a
// reload never pauses answering, and the old table lives only as long as the readers already
// looking at it, microseconds, not until some later collection.
//
// Readers must not suspend while they hold a Reader (the handler does its lookup and writes its
// reply before it awaits anything).
#include <atomic>
#include <memory>
#include <thread>

#include "core/async/worker_id.h"

namespace coredns::plugins::hosts {

template <typename T>
class Published {
  struct alignas(64) Slot {
    std::atomic<uint32_t> readers{0};
  };

 public:
  Published() : slot_count_(async::worker_slots()), slots_(new Slot[slot_count_]) {}
  ~Published() { delete current_.load(); }
  Published(const Published&) = delete;
  Published& operator=(const Published&) = delete;

  class Reader {
   public:
    explicit Reader(const Published& p) : slot_(p.slot()) {
      slot_.readers.fetch_add(1);  // seq_cst: ordered before the load, as the writer's swap
      value_ = p.current_.load();  // is before its reading of the counts
    }
    ~Reader() { slot_.readers.fetch_sub(1, std::memory_order_release); }
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;
    const T* get() const { return value_; }
    const T* operator->() const { return value_; }

   private:
    Slot& slot_;
    const T* value_;
  };

  // Called by one writer at a time.
  void publish(std::unique_ptr<T> next) {
    T* old = current_.exchange(next.release());
    if (!old) return;
    // A thread's readers do not overlap (no suspension inside), so its count drops to 0 between
    // them: seeing 0 once after the swap means its readers of the old value are gone.
    for (int i = 0; i < slot_count_; ++i)
      while (slots_[i].readers.load() != 0) std::this_thread::yield();
    delete old;
  }

  bool has_value() const { return current_.load(std::memory_order_acquire) != nullptr; }

 private:
  Slot& slot() const {
    int i = async::worker_index();
    return slots_[i < slot_count_ ? i : slot_count_ - 1];
  }

  int slot_count_;
  std::unique_ptr<Slot[]> slots_;
  std::atomic<T*> current_{nullptr};
};

}  // namespace coredns::plugins::hosts
