// The packet loop: read the TUN, translate, write back; timers for the MTU, the dynamic pool
// and dynamic.map; signals (HUP reloads the map-file, INT/TERM/QUIT/USR1/USR2 stop).
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "address_mapper.h"
#include "background_writer.h"
#include "config.h"
#include "counters.h"
#include "packet_log.h"
#include "translator.h"

namespace nat64 {

// Values the metrics thread reads; written by the loop.
struct PublishedState {
  std::atomic<uint64_t> pool_active{0}, pool_dormant{0}, pool_size{0};
  std::atomic<uint32_t> tun_mtu{0};
};

class EventLoop {
 public:
  // `map_file_path` is resolved against the working directory (data-dir) as Tayga does.
  EventLoop(const Config& cfg, AddressMapper& map, int tun_fd, int signal_fd, uint32_t tun_mtu);
  int run();  // returns the exit code

  Counters& counters() { return counters_; }
  PublishedState& published() { return published_; }
  // Writes dynamic.map (on the writer thread) when there is a pool and a data-dir; `wait`
  // returns only once it is on disk (at exit).
  void save_dynamic_map(const char* why, bool wait = false);
  void reload_map_file();

 private:
  void read_tun();
  void write_out(std::span<const OutPacket> out);
  void tick(int64_t now_ms, bool force);
  bool handle_signals();  // false when asked to stop

  const Config& cfg_;
  AddressMapper& map_;
  int tun_fd_, signal_fd_;
  Counters counters_;
  SyslogPacketLogger logger_;
  std::unique_ptr<Translator> tr_;
  PublishedState published_;
  int64_t last_mtu_check_ = 0, last_pool_maint_ = 0;
  uint64_t write_errors_ = 0;
  std::unique_ptr<uint8_t[]> rx_;
  BackgroundWriter writer_;
};

// Current wall-clock time in milliseconds (lease timestamps are Unix seconds).
int64_t now_ms();

}  // namespace nat64
