#pragma once
// CoreDNS's health check (CoreDNS's plugin/pkg/proxy/health.go): started by a failed query, it
// probes the upstream with "<domain> IN NS" on a fresh socket every health_check interval until one
// probe gets any parseable reply. Each failed probe counts towards Down; a good one resets the
// count.
#include <uv.h>

#include "plugins/forward/cares_channel.h"

namespace coredns::plugins::forward {

class WorkerTransport;

class HealthLoop : public Completion {
 public:
  HealthLoop(WorkerTransport& transport, size_t index);
  ~HealthLoop() override;
  HealthLoop(const HealthLoop&) = delete;
  HealthLoop& operator=(const HealthLoop&) = delete;

  void probe();
  void complete() override;
  // Ends a pending probe (its completion is queued) and the pause timer.
  void stop();

  // Probes wait this long for a reply (CoreDNS: 1 s read and write deadlines).
  static constexpr std::chrono::milliseconds kProbeTimeout{1000};

 private:
  struct Pause {
    uv_timer_t handle;
    HealthLoop* loop;
  };

  WorkerTransport& transport_;
  size_t index_;
  Channel* channel_ = nullptr;
  Pause* pause_ = nullptr;
};

}  // namespace coredns::plugins::forward
