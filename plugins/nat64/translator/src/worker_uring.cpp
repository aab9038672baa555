// The batched TUN path (docs/nat64-io.md): a multishot read on the worker's queue fills up to
// kReads buffers per wake-up, the packets are translated in the order they were read, and their
// translations are queued as writes and handed to the kernel in one io_uring_enter.
#include "nat64/worker.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

#include "nat64/log.h"

#ifdef NAT64_HAVE_URING
#include <liburing.h>
#endif

namespace nat64 {

#ifdef NAT64_HAVE_URING

namespace {

// Read buffers per queue (a power of two): a wake-up takes at most this many packets, a larger
// burst takes several. Write slots hold the translations of one batch until the kernel has them.
constexpr unsigned kReads = 16, kSlots = 64;
constexpr size_t kSlotSize = 2048;  // translations up to this size (with the frame header) are copied
constexpr uint64_t kReadTag = 1, kCancelTag = 2, kWriteTag = uint64_t(1) << 32;
constexpr uint16_t kBufGroup = 0;
// IORING_OP_READ_MULTISHOT (Linux 6.7), which Debian 12's liburing 2.3 does not name.
constexpr uint8_t kOpReadMultishot = IORING_OP_SENDMSG_ZC + 1;

// Completion order must be packet order. One multishot read per queue gives it: the kernel reads
// packet after packet for that one request, in this thread, and posts them in order. (Several
// plain reads in flight do not: a read woken for a packet another read took is handed to an io-wq
// thread, where it blocks and completes on its own schedule.)
int setup_ring(io_uring& ring, unsigned entries, std::string& why) {
  io_uring_params p{};
  // Task work (the woken read) runs only when this thread waits: one batch per wake-up.
  p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;  // Linux 6.1
  const int r = io_uring_queue_init_params(entries, &ring, &p);
  if (r < 0) {
    why = r == -EINVAL ? std::string("the kernel's io_uring predates Linux 6.7")
                       : std::string("io_uring_setup: ") + std::strerror(-r);
    return r;
  }
  io_uring_probe* probe = io_uring_get_probe_ring(&ring);
  const bool multishot = probe && io_uring_opcode_supported(probe, kOpReadMultishot);
  if (probe) io_uring_free_probe(probe);
  if (!multishot || !(p.features & IORING_FEAT_NODROP)) {
    io_uring_queue_exit(&ring);
    why = "the kernel's io_uring has no multishot read (Linux 6.7)";
    return -EOPNOTSUPP;
  }
  return 0;
}

}  // namespace

class Worker::Uring : public FrameSink {
 public:
  Uring(Worker& w, size_t stride) : w_(w), stride_(stride) {}
  ~Uring() {
    if (ready_) {
      release();
      io_uring_queue_exit(&ring_);
    }
    std::free(br_);
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
    align_ = (16 - (reinterpret_cast<uintptr_t>(rbufs_.get()) + w_.frames_.header_size()) % 16) % 16;
    // The ring of read buffers the kernel picks from (IORING_REGISTER_PBUF_RING, Linux 5.19).
    br_ = static_cast<io_uring_buf_ring*>(std::aligned_alloc(4096, 4096));
    if (!br_) {
      why = "out of memory";
      return false;
    }
    io_uring_buf_ring_init(br_);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<uintptr_t>(br_);
    reg.ring_entries = kReads;
    reg.bgid = kBufGroup;
    if (const int e = io_uring_register_buf_ring(&ring_, &reg, 0); e < 0) {
      why = std::string("io_uring_register_buf_ring: ") + std::strerror(-e);
      return false;
    }
    for (unsigned i = 0; i < kReads; ++i) give_back(i);
    slots_.reset(new uint8_t[kSlots * kSlotSize]);
    for (unsigned i = 0; i < kSlots; ++i) free_[i] = static_cast<uint16_t>(kSlots - 1 - i);
    nfree_ = kSlots;
    return true;
  }

  // Returns when asked to stop, or false when the queue failed.
  bool run() {
    arm_read();
    while (!w_.control_.stop.load(std::memory_order_relaxed)) {
      w_.map_.leave();
      const int r = submit(pending_ == 0);
      w_.map_.enter();
      if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY) {
        log_err("worker {}: io_uring_enter failed: {}", w_.index_, std::strerror(-r));
        return false;
      }
      reap(false);
      if (!pending_) {
        if (rearm_) arm_read();
        continue;
      }
      w_.follow_control();
      Counters& c = w_.counters_;
      c.read_batches.add();
      const int64_t now = Worker::coarse_now_ms();
      while (pending_) {
        const Done d = done_[head_];
        head_ = (head_ + 1) % kQueue;
        --pending_;
        c.read_batch_packets.add();
        if (d.res < 0) {
          log_err("worker {}: read from TUN failed: {}", w_.index_, std::strerror(-d.res));
          return false;
        }
        w_.frames_.handle(rbuf(d.idx), static_cast<size_t>(d.res), w_.rx_size_, now, *this);
        give_back(d.idx);
      }
      // The multishot read ends when it ran out of buffers (the burst was larger than kReads);
      // the rest of the burst is still queued in the device.
      if (rearm_) arm_read();
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

  // Lets go of the TUN queue now: the kernel frees a closed ring from a work queue, and until
  // then an armed read and the registered file would keep a non-persistent device alive after
  // nat64 exits.
  void release() {
    if (armed_) {
      io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
      io_uring_prep_cancel64(sqe, kReadTag, 0);
      io_uring_sqe_set_data64(sqe, kCancelTag);
      io_uring_submit(&ring_);
      while (armed_) {
        io_uring_cqe* cqe = nullptr;
        if (io_uring_wait_cqe(&ring_, &cqe) < 0) continue;
        if (io_uring_cqe_get_data64(cqe) == kReadTag && !(cqe->flags & IORING_CQE_F_MORE)) armed_ = false;
        io_uring_cqe_seen(&ring_, cqe);
      }
    }
    (void)io_uring_unregister_buf_ring(&ring_, kBufGroup);
    (void)io_uring_unregister_files(&ring_);
  }

  void arm_read() {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    io_uring_prep_rw(kOpReadMultishot, sqe, 0, nullptr, 0, 0);  // length 0: the buffer's
    sqe->flags |= IOSQE_FIXED_FILE | IOSQE_BUFFER_SELECT;
    sqe->buf_group = kBufGroup;
    io_uring_sqe_set_data64(sqe, kReadTag);
    rearm_ = false;
    armed_ = true;
  }

  void give_back(unsigned i) {
    io_uring_buf_ring_add(br_, rbuf(i), static_cast<unsigned>(w_.rx_size_), static_cast<unsigned short>(i),
                          io_uring_buf_ring_mask(kReads), 0);
    io_uring_buf_ring_advance(br_, 1);
  }

  // One io_uring_enter: the queued writes and a re-armed read. With `wait`, it returns once a
  // read has completed too: the writes complete inline, so their completions alone must not end
  // the wait (that would cost a second system call per batch).
  int submit(bool wait) {
    if (queued_) {
      w_.counters_.write_batches.add();
      w_.counters_.write_batch_packets.add(queued_);
      inflight_ += queued_;
      queued_ = 0;
    }
    return wait ? io_uring_submit_and_wait(&ring_, inflight_ + 1) : io_uring_submit(&ring_);
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
      const unsigned flags = cqe->flags;
      io_uring_cqe_seen(&ring_, cqe);
      if (ud & kWriteTag) {
        free_[nfree_++] = static_cast<uint16_t>(ud & 0xffff);
        --inflight_;
        if (res < 0 && errors_++ % 1000 == 0) log_warn("write to TUN failed: {}", std::strerror(-res));
        continue;
      }
      if (!(flags & IORING_CQE_F_MORE)) {
        armed_ = false;
        rearm_ = true;
      }
      if (res == -ENOBUFS || res == -EINTR || res == -EAGAIN || res == -ECANCELED) continue;
      // A read either carries a buffer, or an error that stops the worker.
      const int32_t rr = res >= 0 && !(flags & IORING_CQE_F_BUFFER) ? -EIO : res;
      done_[(head_ + pending_) % kQueue] = Done{flags >> IORING_CQE_BUFFER_SHIFT, rr};
      ++pending_;
    }
  }

  // A translation too large for a slot (a GSO super-packet) is written directly, after every
  // write queued before it has completed, so that it cannot overtake them.
  void write_now(const OutPacket& p) {
    while (queued_ || inflight_) {
      submit(false);
      reap(true);
    }
    w_.write_packet(p);  // counted as a batch of one
  }

  Worker& w_;
  size_t stride_;
  size_t align_ = 0;
  io_uring ring_{};
  bool ready_ = false;
  std::unique_ptr<uint8_t[]> rbufs_, slots_;
  uint16_t free_[kSlots];
  unsigned nfree_ = 0, queued_ = 0, inflight_ = 0;
  // Reads completed and not yet translated: at most one per buffer, and one error.
  static constexpr unsigned kQueue = kReads + 1;
  Done done_[kQueue];
  unsigned head_ = 0, pending_ = 0;
  io_uring_buf_ring* br_ = nullptr;
  bool rearm_ = false, armed_ = false;
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
