#pragma once
// One upstream's state shared by every worker: its health (the count of consecutive failed
// probes) and its metric series, looked up once.
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "core/metrics/metrics.h"
#include "core/tls/tls.h"
#include "plugins/forward/config.h"

namespace coredns::plugins::forward {

// The process-wide metric families (CoreDNS's plugin/forward/metrics.go).
struct ForwardMetrics {
  metrics::CounterFamily& healthcheck_broken;
  metrics::CounterFamily& max_concurrent_rejects;
  metrics::HistogramFamily& request_duration;
  metrics::CounterFamily& healthcheck_failures;
  metrics::CounterFamily& conn_cache_hits;
  metrics::CounterFamily& conn_cache_misses;
  metrics::CounterFamily& tls_handshakes;
  metrics::GaugeFamily& tls_connections;

  static ForwardMetrics& get();
};

// What a tls:// upstream's connections share: the TLS config (one per server name), the
// session to resume, and the metrics and log of its handshakes.
struct TlsLink {
  std::shared_ptr<const tls::ClientConfig> config;
  std::shared_ptr<tls::ResumptionCache> resume;
  std::string peer_ip;  // for the IP-SAN check without a server name
  std::string label;    // "tls://127.0.0.1:853"
  std::array<metrics::Counter*, 3> handshakes{};  // [full, resumed, failed]
  metrics::Gauge* connections = nullptr;

  // Logs a failed handshake once per distinct reason: a certificate problem repeats on every
  // connection and probe, and one line says it.
  void report(const std::string& error) const;

 private:
  mutable std::mutex mu_;
  mutable std::set<std::string> reported_;
};

class Upstream {
 public:
  // `tls`: the client config of a tls:// upstream, null for a plain one.
  explicit Upstream(const UpstreamSpec& spec, std::shared_ptr<const tls::ClientConfig> tls = nullptr);

  const UpstreamSpec& spec() const { return spec_; }
  const std::string& text() const { return spec_.text; }
  bool tls() const { return tls_ != nullptr; }
  const std::shared_ptr<const TlsLink>& tls_link() const { return tls_; }

  // Down once more than `max_fails` probes in a row failed; max_fails 0 means never.
  bool down(uint32_t max_fails) const {
    return max_fails > 0 && fails_.load(std::memory_order_relaxed) > max_fails;
  }
  uint32_t fails() const { return fails_.load(std::memory_order_relaxed); }

  // Only one health-check loop runs per upstream at a time, on whichever worker started it.
  bool begin_check() { return !checking_.exchange(true, std::memory_order_acq_rel); }
  void end_check() { checking_.store(false, std::memory_order_release); }
  bool checking() const { return checking_.load(std::memory_order_acquire); }

  // A probe's outcome. Transitions to Down and back are logged (CoreDNS logs neither).
  void probe_failed(uint32_t max_fails);
  void probe_succeeded(uint32_t max_fails);

  // The reply's rcode and how long the exchange took.
  void observe(uint16_t rcode, double seconds);
  void count_connection(bool tcp, bool reused);

 private:
  UpstreamSpec spec_;
  std::shared_ptr<const TlsLink> tls_;
  std::atomic<uint32_t> fails_{0};
  std::atomic<bool> checking_{false};
  metrics::Counter& hc_failures_;
  std::array<metrics::Counter*, 2> conn_hits_;    // [udp, tcp or tcp-tls]
  std::array<metrics::Counter*, 2> conn_misses_;
  // coredns_proxy_request_duration_seconds series by rcode, created on first use.
  std::array<std::atomic<metrics::Histogram*>, 24> duration_by_rcode_{};
};

}  // namespace coredns::plugins::forward
