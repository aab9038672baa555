// The batched TUN path (docs/nat64-io.md): several reads in flight on the worker's queue, the
// packets of one wake-up translated in the order the kernel completed them, their translations
// queued as writes and handed to the kernel, with the reads re-armed, in one io_uring_enter.
#include "nat64/worker.h"

#include <cerrno>
#include <cstring>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "nat64/log.h"

#ifdef NAT64_HAVE_URING
#include <liburing.h>
#endif

namespace nat64 {

#ifdef NAT64_HAVE_URING

namespace {

// Reads in flight per queue: a wake-up takes at most this many packets, so a burst larger than
// it takes several. Write slots hold the translations of one batch until the kernel has them.
constexpr unsigned kReads = 16, kSlots = 64;
constexpr size_t kSlotSize = 2048;  // translations up to this size (with the frame header) are copied
constexpr uint64_t kWriteTag = uint64_t(1) << 32;

// Completion order must be the order in which packets left the queue. That holds when a read
// that finds the queue empty waits on the device's poll queue and runs in this thread when woken
// (IORING_FEAT_FAST_POLL, Linux 5.7); without it reads would block in io-wq threads that race.
int setup_ring(io_uring& ring, unsigned entries, std::string& why) {
  io_uring_params p{};
  // Task work (the woken reads) runs only when this thread waits: one batch per wake-up.
  p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
  int r = io_uring_queue_init_params(entries, &ring, &p);
  if (r == -EINVAL) {  // before Linux 6.1
    p = io_uring_params{};
    p.flags = IORING_SETUP_COOP_TASKRUN;
    r = io_uring_queue_init_params(entries, &ring, &p);
  }
  if (r == -EINVAL) {  // before Linux 5.19
    p = io_uring_params{};
    r = io_uring_queue_init_params(entries, &ring, &p);
  }
  if (r < 0) {
    why = std::string("io_uring_setup: ") + std::strerror(-r);
    return r;
  }
  if (!(p.features & IORING_FEAT_FAST_POLL) || !(p.features & IORING_FEAT_NODROP)) {
    io_uring_queue_exit(&ring);
    why = "the kernel's io_uring lacks poll-driven reads (Linux 5.7+)";
    return -EOPNOTSUPP;
  }
  return 0;
}

}  // namespace

class Worker::Uring : public FrameSink {
 public:
  Uring(Worker& w, size_t stride) : w_(w), stride_(stride) {}
  ~Uring() {
    if (ready_) io_uring_queue_exit(&ring_);
  }

  bool init(std::string& why) {
    if (setup_ring(ring_, kReads + kSlots, why) < 0) return false;
    ready_ = true;
    const int r = io_uring_register_files(&ring_, &w_.fd_, 1);
    if (r < 0) {
      why = std::string("io_uring_register_files: ") + std::strerror(-r);
      return false;
    }
    rbufs_.reset(new uint8_t[kReads * stride_ + 32]);
    slots_.reset(new uint8_t[kSlots * kSlotSize]);
    for (unsigned i = 0; i < kSlots; ++i) free_[i] = static_cast<uint16_t>(kSlots - 1 - i);
    nfree_ = kSlots;
    return true;
  }

  // Returns when asked to stop, or false when the queue failed.
  bool run() {
    const size_t hs = w_.frames_.header_size();
    align_ = (16 - (reinterpret_cast<uintptr_t>(rbufs_.get()) + hs) % 16) % 16;
    for (unsigned i = 0; i < kReads; ++i) arm_read(i);
    while (!w_.control_.stop.load(std::memory_order_relaxed)) {
      w_.map_.leave();
      const int r = submit(pending_ == 0);
      w_.map_.enter();
      if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY) {
        log_err("worker {}: io_uring_enter failed: {}", w_.index_, std::strerror(-r));
        return false;
      }
      reap(false);
      if (!pending_) continue;
      w_.follow_control();
      Counters& c = w_.counters_;
      c.read_batches.add();
      const int64_t now = Worker::coarse_now_ms();
      while (pending_) {
        const Done d = done_[head_];
        head_ = (head_ + 1) % kReads;
        --pending_;
        c.read_batch_packets.add();
        if (d.res < 0) {
          if (d.res != -EINTR && d.res != -EAGAIN) {
            log_err("worker {}: read from TUN failed: {}", w_.index_, std::strerror(-d.res));
            return false;
          }
        } else {
          w_.frames_.handle(rbuf(d.idx), static_cast<size_t>(d.res), w_.rx_size_, now, *this);
        }
        arm_read(d.idx);
      }
    }
    return true;
  }

  void send(std::span<const OutPacket> out) override {
    const size_t hs = w_.frames_.header_size();
    for (const OutPacket& p : out) {
      if (hs + p.size() > kSlotSize) {
        write_now(p);
        continue;
      }
      while (!nfree_) {  // every slot is with the kernel: hand over what is queued, wait for one
        submit(false);
        reap(true);
      }
      const uint16_t s = free_[--nfree_];
      uint8_t* d = slots_.get() + size_t(s) * kSlotSize;
      w_.frames_.frame_header(p, d);
      std::memcpy(d + hs, p.head, p.head_len);
      if (p.body_len) std::memcpy(d + hs + p.head_len, p.body, p.body_len);
      io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
      io_uring_prep_write(sqe, 0, d, static_cast<unsigned>(hs + p.size()), 0);
      sqe->flags |= IOSQE_FIXED_FILE;
      io_uring_sqe_set_data64(sqe, kWriteTag | s);
      ++queued_;
    }
  }

 private:
  struct Done {
    uint32_t idx;
    int32_t res;
  };

  uint8_t* rbuf(unsigned i) { return rbufs_.get() + align_ + size_t(i) * stride_; }

  void arm_read(unsigned i) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    io_uring_prep_read(sqe, 0, rbuf(i), static_cast<unsigned>(w_.rx_size_), 0);
    sqe->flags |= IOSQE_FIXED_FILE;
    io_uring_sqe_set_data64(sqe, i);
  }

  // One io_uring_enter: the queued writes and re-armed reads, waiting for a completion if `wait`.
  int submit(bool wait) {
    if (queued_) {
      w_.counters_.write_batches.add();
      w_.counters_.write_batch_packets.add(queued_);
      inflight_ += queued_;
      queued_ = 0;
    }
    return wait ? io_uring_submit_and_wait(&ring_, 1) : io_uring_submit(&ring_);
  }

  // Takes the completions: reads go to the FIFO in completion order, writes free their slot.
  // With `wait`, blocks until at least one write completes.
  void reap(bool wait) {
    const unsigned writes_before = inflight_;
    for (;;) {
      io_uring_cqe* cqe = nullptr;
      int r = io_uring_peek_cqe(&ring_, &cqe);
      if (r == -EAGAIN) {
        if (!wait || inflight_ < writes_before || !inflight_) return;
        r = io_uring_wait_cqe(&ring_, &cqe);
        if (r < 0) continue;  // EINTR: the stop signal; the writes complete regardless
      }
      const uint64_t ud = io_uring_cqe_get_data64(cqe);
      const int res = cqe->res;
      io_uring_cqe_seen(&ring_, cqe);
      if (ud & kWriteTag) {
        free_[nfree_++] = static_cast<uint16_t>(ud & 0xffff);
        --inflight_;
        if (res < 0 && errors_++ % 1000 == 0) log_warn("write to TUN failed: {}", std::strerror(-res));
      } else {
        done_[(head_ + pending_) % kReads] = Done{static_cast<uint32_t>(ud), res};
        ++pending_;
      }
    }
  }

  // A translation too large for a slot (a GSO super-packet) is written directly, after every
  // write queued before it has completed, so that it cannot overtake them.
  void write_now(const OutPacket& p) {
    while (queued_ || inflight_) {
      submit(false);
      reap(true);
    }
    w_.write_packet(p);
    w_.counters_.write_batches.add();
    w_.counters_.write_batch_packets.add();
  }

  Worker& w_;
  size_t stride_;
  size_t align_ = 0;
  io_uring ring_{};
  bool ready_ = false;
  std::unique_ptr<uint8_t[]> rbufs_, slots_;
  uint16_t free_[kSlots];
  unsigned nfree_ = 0, queued_ = 0, inflight_ = 0;
  Done done_[kReads];
  unsigned head_ = 0, pending_ = 0;
  uint64_t errors_ = 0;
};

bool Worker::uring_supported(int fd, std::string& why) {
  io_uring ring;
  if (setup_ring(ring, 4, why) < 0) return false;
  const int r = io_uring_register_files(&ring, &fd, 1);
  io_uring_queue_exit(&ring);
  if (r < 0) why = std::string("io_uring_register_files: ") + std::strerror(-r);
  return r >= 0;
}

bool Worker::run_uring() {
  Uring u(*this, rx_size_ + 16);
  std::string why;
  if (!u.init(why)) {
    log_warn("worker {}: io_uring unavailable ({}), using read/write", index_, why);
    return run_readwrite();
  }
  return u.run();
}

#else  // built without liburing

class Worker::Uring {};

bool Worker::uring_supported(int, std::string& why) {
  why = "built without liburing";
  return false;
}

bool Worker::run_uring() { return run_readwrite(); }

#endif

}  // namespace nat64
