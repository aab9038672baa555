#pragma once
// forward's stream side on one worker (docs/forward-transport.md): a pooled connection per
// upstream with queries pipelined on it, over any Stream (TCP today).
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "plugins/forward/framing.h"
#include "plugins/forward/stream.h"
#include "plugins/forward/transport.h"

namespace coredns::plugins::forward {

// One stream connection to one upstream with queries pipelined on it (RFC 7766 §6.2.1.1):
// replies are matched by ID in whatever order they come.
class StreamConn : public StreamEvents {
 public:
  using Clock = std::chrono::steady_clock;

  StreamConn(WorkerTransport& t, size_t index);

  void queue(Completion* c);
  // Takes `c` off this connection (answered, timed out or failed).
  void release(Completion* c);
  void send();
  void close();

  // StreamEvents: only the queries on this connection fail when it ends.
  void on_open() override { local_ = stream_->local_text(); }
  void on_data(std::span<const uint8_t> bytes) override;
  void on_end(const char* op, int err) override;

  size_t inflight() const { return pending_.size(); }
  bool stale(Clock::time_point now, const ForwardConfig& cfg) const;
  const std::string& local() const { return local_; }

 private:
  void receive(std::span<const uint8_t> msg);

  WorkerTransport& t_;
  size_t index_;
  Stream* stream_ = nullptr;
  FrameDecoder decoder_;
  std::unordered_map<uint16_t, Completion*> pending_;
  std::vector<uint8_t> out_;
  std::string local_;
  Clock::time_point created_;
  Clock::time_point last_used_;
  bool dirty_ = false;
  bool dead_ = false;
};

}  // namespace coredns::plugins::forward
