// Counters in the Prometheus text exposition format (version 0.0.4).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "nat64/counters.h"

namespace nat64 {

struct MetricsSnapshot {
  std::span<const Counters* const> workers;  // summed
  bool has_pool = false;
  uint64_t pool_active = 0, pool_dormant = 0, pool_size = 0;
  uint32_t tun_mtu = 0;
  uint32_t worker_count = 0;  // worker threads (TUN queues)
  bool offload = false;       // the TUN frames carry a virtio-net header (offloads on)
  std::string_view tun_io = "readwrite";  // the workers' I/O path: "uring" or "readwrite"
};

std::string render_metrics(const MetricsSnapshot& s);

}  // namespace nat64
