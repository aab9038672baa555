#pragma once
// forward's UDP side on one worker (docs/forward-transport.md): a connected socket per upstream
// that queries take in turn, written with one sendmmsg per loop iteration and read with recvmmsg.
#include <uv.h>

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "plugins/forward/transport.h"

namespace coredns::plugins::forward {

// One connected UDP socket to one upstream, shared by the queries that take it in turn.
class UdpSocket {
 public:
  using Clock = std::chrono::steady_clock;

  UdpSocket(WorkerTransport& t, size_t index) : t_(t), index_(index), opened_(Clock::now()) {}
  ~UdpSocket() { shut(); }
  void shut();

  bool open(std::string& error);
  void queue(Completion* c);

  // Takes `c` off this socket (answered, timed out or failed).
  void release(Completion* c);

  // No new queries; closed once the last one in flight is done.
  void retire();
  void send();

  void on_readable();
  void fail_all(const char* op, int err);

  const std::string& local() const { return local_; }

 private:
  friend class WorkerTransport;
  bool fail(const char* op, std::string& error);
  void receive(std::span<const uint8_t> dgram);
  WorkerTransport& t_;
  size_t index_;
  int fd_ = -1;
  uv_poll_t* poll_ = nullptr;
  std::unordered_map<uint16_t, Completion*> pending_;
  std::vector<Completion*> out_;  // queued for this iteration's sendmmsg
  uint32_t carried_ = 0;
  Clock::time_point opened_;
  std::string local_;
  bool retired_ = false;
  bool dirty_ = false;
  bool dead_ = false;
};

}  // namespace coredns::plugins::forward
