// One worker thread per TUN queue: read, translate, write back, with nothing shared
// with the other workers on the packet path but the lease cache's generation number (see
// address_mapper.h). The kernel keeps each flow on one queue (README: "Workers"), so no flow is
// reordered across threads.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "nat64/address_mapper.h"
#include "nat64/config.h"
#include "nat64/counters.h"
#include "nat64/frame_translator.h"
#include "nat64/translator.h"

namespace nat64 {

// What the control thread tells the workers while they run.
struct WorkerControl {
  std::atomic<uint32_t> tun_mtu{1500};
  std::atomic<bool> stop{false};
  std::atomic<bool> failed{false};  // a worker lost its queue (the device went away)
  int wake_fd = -1;                 // eventfd the control thread polls: a worker failed
};

class Worker {
 public:
  // `fd` is this worker's TUN queue (blocking); frames carry a virtio-net header if `vnet_hdr`.
  // With `uring` the worker batches its I/O with io_uring (worker_uring.cpp), else it makes one
  // read() and one writev() per packet.
  Worker(int index, int fd, bool vnet_hdr, bool vnet_le, bool uring, std::shared_ptr<MapperState> maps,
         const TranslatorSettings& settings, WorkerControl& control, PacketLogger* logger);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void start();
  // Asks the thread to stop and waits for it.
  void stop();

  const Counters& counters() const { return counters_; }

  // The signal that interrupts a worker's blocking read when it is asked to stop. install()
  // sets its (empty) handler, once per process.
  static int wake_signal();
  static void install_wake_handler();

  // Whether the kernel (and the build) lets a worker batch with io_uring on `fd`; `why` if not.
  static bool uring_supported(int fd, std::string& why);

 private:
  class TunWriter;
  class Uring;
  void run();
  // The two I/O loops; false when the queue failed.
  bool run_readwrite();
  bool run_uring();
  void write_packet(const OutPacket& p);
  void follow_control();
  static int64_t coarse_now_ms();

  int index_, fd_;
  bool uring_;
  WorkerControl& control_;
  Counters counters_;
  AddressMapper map_;
  Translator tr_;
  FrameTranslator frames_;
  std::unique_ptr<TunWriter> writer_;
  std::unique_ptr<uint8_t[]> rx_;
  size_t rx_size_;
  std::thread thread_;
  std::atomic<bool> running_{false};
};

}  // namespace nat64
