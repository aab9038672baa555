// The control thread: starts one worker per TUN queue, then handles signals (HUP reloads the
// map-file, INT/TERM/QUIT/USR1/USR2 stop) and the timers for the MTU, the dynamic pool and
// dynamic.map while the workers translate.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "nat64/address_mapper.h"
#include "nat64/background_writer.h"
#include "nat64/config.h"
#include "nat64/counters.h"
#include "nat64/packet_log.h"
#include "nat64/tun.h"
#include "nat64/worker.h"

namespace nat64 {

// Values the metrics thread reads; written by the control thread.
struct PublishedState {
  std::atomic<uint64_t> pool_active{0}, pool_dormant{0}, pool_size{0};
  std::atomic<uint32_t> tun_mtu{0};
};

class EventLoop {
 public:
  // `map` is the control thread's view; each worker gets its own view of the same state.
  EventLoop(const Config& cfg, AddressMapper& map, const TunQueues& tun, int signal_fd, uint32_t tun_mtu);
  ~EventLoop();
  int run();  // returns the exit code

  // One per worker, for the metrics.
  std::vector<const Counters*> counters() const;
  PublishedState& published() { return published_; }
  // Writes dynamic.map (on the writer thread) when there is a pool and a data-dir; `wait`
  // returns only once it is on disk (at exit).
  void save_dynamic_map(const char* why, bool wait = false);
  void reload_map_file();

 private:
  void tick(int64_t now_ms, bool force);
  bool handle_signals();  // false when asked to stop
  void stop_workers();

  const Config& cfg_;
  AddressMapper& map_;
  int signal_fd_;
  WorkerControl control_;
  SyslogPacketLogger logger_;
  std::vector<std::unique_ptr<Worker>> workers_;
  PublishedState published_;
  uint32_t tun_mtu_;
  int64_t last_mtu_check_ = 0, last_pool_maint_ = 0;
  BackgroundWriter writer_;
};

// Current wall-clock time in milliseconds (lease timestamps are Unix seconds).
int64_t now_ms();

}  // namespace nat64
