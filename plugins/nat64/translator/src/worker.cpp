#include "nat64/worker.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "nat64/log.h"

namespace nat64 {

namespace {

// System calls without glibc's cancellation-point wrappers, which cost ~100 instructions per
// call in a multi-threaded process (nothing here uses thread cancellation).
ssize_t raw_read(int fd, void* buf, size_t n) { return ::syscall(SYS_read, fd, buf, n); }
ssize_t raw_writev(int fd, const iovec* iov, int n) { return ::syscall(SYS_writev, fd, iov, n); }

}  // namespace

// Leases and the ICMP rate limiter need milliseconds at most: the coarse clock is cheaper.
int64_t Worker::coarse_now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

// Writes each translated packet with one writev: frame header, rebuilt headers, payload.
class Worker::TunWriter : public FrameSink {
 public:
  TunWriter(int fd, const FrameTranslator& frames, Counters& counters)
      : fd_(fd), frames_(frames), counters_(counters) {}
  void send(std::span<const OutPacket> out) override {
    for (const OutPacket& p : out) write(p);
  }
  void write(const OutPacket& p) {
    uint8_t hdr[FrameTranslator::kPiSize + vnet::kSize];
    frames_.frame_header(p, hdr);
    iovec iov[3] = {{hdr, frames_.header_size()},
                    {const_cast<uint8_t*>(p.head), p.head_len},
                    {const_cast<uint8_t*>(p.body), p.body_len}};
    if (raw_writev(fd_, iov, p.body_len ? 3 : 2) < 0 && errors_++ % 1000 == 0)
      log_warn("write to TUN failed: {}", std::strerror(errno));
    counters_.write_batches.add();
    counters_.write_batch_packets.add();
  }

 private:
  int fd_;
  const FrameTranslator& frames_;
  Counters& counters_;
  uint64_t errors_ = 0;
};

int Worker::wake_signal() { return SIGRTMIN + 1; }

void Worker::install_wake_handler() {
  struct sigaction sa{};
  sa.sa_handler = [](int) {};
  sa.sa_flags = 0;  // no SA_RESTART: the blocking read returns EINTR
  sigemptyset(&sa.sa_mask);
  sigaction(wake_signal(), &sa, nullptr);
}

Worker::Worker(int index, int fd, bool vnet_hdr, bool vnet_le, bool uring, std::shared_ptr<MapperState> maps,
               const TranslatorSettings& settings, WorkerControl& control, PacketLogger* logger)
    : index_(index),
      fd_(fd),
      uring_(uring),
      control_(control),
      map_(std::move(maps)),
      tr_(map_, counters_, settings),
      frames_(tr_, vnet_hdr, vnet_le),
      writer_(std::make_unique<TunWriter>(fd, frames_, counters_)),
      rx_size_(frames_.header_size() + FrameTranslator::kMaxPacket + 1) {
  // The IP header starts at a 16-byte boundary.
  rx_.reset(new uint8_t[rx_size_ + 32]);
  if (logger) tr_.set_logger(logger);
  if (!map_.attach_worker()) log_warn("worker {}: too many workers for the map-file snapshot slots", index_);
}

Worker::~Worker() { stop(); }

void Worker::start() {
  running_ = true;
  thread_ = std::thread([this] { run(); });
}

void Worker::stop() {
  if (!thread_.joinable()) return;
  control_.stop = true;
  // The signal may land just before the thread blocks in read(): repeat until it is out.
  while (running_) {
    pthread_kill(thread_.native_handle(), wake_signal());
    for (int i = 0; i < 20 && running_; ++i) ::usleep(1000);
  }
  thread_.join();
}

void Worker::follow_control() {
  const uint32_t mtu = control_.tun_mtu.load(std::memory_order_relaxed);
  if (mtu != tr_.settings().tun_mtu) tr_.settings().set_tun_mtu(mtu);
}

void Worker::write_packet(const OutPacket& p) { writer_->write(p); }

void Worker::run() {
  sigset_t wake;
  sigemptyset(&wake);
  sigaddset(&wake, wake_signal());
  pthread_sigmask(SIG_UNBLOCK, &wake, nullptr);
  if (!(uring_ ? run_uring() : run_readwrite())) {
    control_.failed = true;
    const uint64_t one = 1;
    (void)!::write(control_.wake_fd, &one, sizeof one);
  }
  map_.leave();
  running_ = false;
}

bool Worker::run_readwrite() {
  const size_t align = (16 - (reinterpret_cast<uintptr_t>(rx_.get()) + frames_.header_size()) % 16) % 16;
  uint8_t* buf = rx_.get() + align;
  while (!control_.stop.load(std::memory_order_relaxed)) {
    // The static maps are pinned only between reads: a blocked worker holds none.
    map_.leave();
    const ssize_t n = raw_read(fd_, buf, rx_size_);
    map_.enter();
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      log_err("worker {}: read from TUN failed: {}", index_, std::strerror(errno));
      return false;
    }
    counters_.read_batches.add();
    counters_.read_batch_packets.add();
    follow_control();
    frames_.handle(buf, static_cast<size_t>(n), rx_size_, coarse_now_ms(), *writer_);
  }
  return true;
}

}  // namespace nat64
