#pragma once
// CoreDNS's health check (CoreDNS's plugin/pkg/proxy/health.go): started by a failed query, it
// probes the upstream with "<domain> IN NS" every health_check interval until one probe gets
// any parseable reply. Each failed probe counts towards Down; a good one resets the count. For a
// tls:// upstream the pause between probes backs off (doubling, up to kMaxTlsPause).
#include <uv.h>

#include <chrono>
#include <cstdint>

#include "plugins/forward/transport.h"

namespace coredns::plugins::forward {

class HealthLoop : public Completion {
 public:
  HealthLoop(WorkerTransport& transport, size_t index);
  ~HealthLoop() override;
  HealthLoop(const HealthLoop&) = delete;
  HealthLoop& operator=(const HealthLoop&) = delete;

  void probe();
  void complete() override;
  // Stops the pause timer; a probe in flight is ended by the transport's shutdown.
  void stop();

  static constexpr std::chrono::seconds kMaxTlsPause{8};

 private:
  struct Pause {
    uv_timer_t handle;
    HealthLoop* loop;
  };

  WorkerTransport& transport_;
  size_t index_;
  Pause* pause_ = nullptr;
  uint32_t failed_ = 0;  // probes of this loop that failed
};

}  // namespace coredns::plugins::forward
