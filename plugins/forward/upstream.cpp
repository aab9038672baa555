#include "plugins/forward/upstream.h"

#include <fmt/format.h>

#include "core/dns/types.h"
#include "core/util/log.h"

namespace coredns::plugins::forward {

ForwardMetrics& ForwardMetrics::get() {
  auto& r = metrics::Registry::global();
  static ForwardMetrics m{
      r.counter("coredns_forward_healthcheck_broken_total",
                "Counter of the number of complete failures of the healthchecks.", {}),
      r.counter("coredns_forward_max_concurrent_rejects_total",
                "Counter of the number of queries rejected because the concurrent queries were "
                "at maximum.",
                {}),
      r.histogram("coredns_proxy_request_duration_seconds", "Histogram of the time each request took.",
                  {"proxy_name", "to", "rcode"}, metrics::time_buckets()),
      r.counter("coredns_proxy_healthcheck_failures_total",
                "Counter of the number of failed healthchecks.", {"proxy_name", "to"}),
      r.counter("coredns_proxy_conn_cache_hits_total",
                "Counter of connection cache hits per upstream and protocol.",
                {"proxy_name", "to", "proto"}),
      r.counter("coredns_proxy_conn_cache_misses_total",
                "Counter of connection cache misses per upstream and protocol.",
                {"proxy_name", "to", "proto"}),
      r.counter("coredns_forward_tls_handshakes_total",
                "Counter of TLS handshakes with DNS-over-TLS upstreams, by result (full, resumed, "
                "failed).",
                {"to", "result"}),
      r.gauge("coredns_forward_tls_connections",
              "Gauge of open connections to DNS-over-TLS upstreams.", {"to"}),
  };
  return m;
}

void TlsLink::report(const std::string& error) const {
  {
    std::lock_guard lock(mu_);
    if (!reported_.insert(error).second) return;
  }
  log::plugin_logger("forward").error(fmt::format("{}: {}", label, error));
}

Upstream::Upstream(const UpstreamSpec& spec, std::shared_ptr<const tls::ClientConfig> tls)
    : spec_(spec),
      hc_failures_(ForwardMetrics::get().healthcheck_failures.with({"forward", spec.text})) {
  auto& m = ForwardMetrics::get();
  // A tls:// upstream only ever uses a stream, counted as CoreDNS's "tcp-tls".
  const char* stream = tls ? "tcp-tls" : "tcp";
  conn_hits_ = {&m.conn_cache_hits.with({"forward", spec.text, "udp"}),
                &m.conn_cache_hits.with({"forward", spec.text, stream})};
  conn_misses_ = {&m.conn_cache_misses.with({"forward", spec.text, "udp"}),
                  &m.conn_cache_misses.with({"forward", spec.text, stream})};
  if (tls) {
    auto link = std::make_shared<TlsLink>();
    link->config = std::move(tls);
    link->resume = std::make_shared<tls::ResumptionCache>();
    const std::string& t = spec.text;
    // "127.0.0.1:853", "[::1]:853" -> the address alone.
    const size_t colon = t.rfind(':');
    link->peer_ip = t.front() == '[' ? t.substr(1, t.rfind(']') - 1) : t.substr(0, colon);
    link->label = "tls://" + t;
    link->handshakes = {&m.tls_handshakes.with({t, "full"}), &m.tls_handshakes.with({t, "resumed"}),
                        &m.tls_handshakes.with({t, "failed"})};
    link->connections = &m.tls_connections.with({t});
    tls_ = std::move(link);
  }
}

void Upstream::probe_failed(uint32_t max_fails) {
  hc_failures_.inc();
  uint32_t now = fails_.load(std::memory_order_relaxed);
  // Capped so that it cannot wrap back to healthy.
  while (now < 0xFFFFFFF0u &&
         !fails_.compare_exchange_weak(now, now + 1, std::memory_order_relaxed)) {
  }
  if (max_fails > 0 && now == max_fails)
    log::plugin_logger("forward").warning(
        fmt::format("upstream {} is down: {} health checks failed in a row", spec_.text, now + 1));
}

void Upstream::probe_succeeded(uint32_t max_fails) {
  const uint32_t before = fails_.exchange(0, std::memory_order_relaxed);
  if (max_fails > 0 && before > max_fails)
    log::plugin_logger("forward").info(fmt::format("upstream {} is healthy again", spec_.text));
}

void Upstream::observe(uint16_t rcode, double seconds) {
  if (rcode >= duration_by_rcode_.size()) return;
  metrics::Histogram* h = duration_by_rcode_[rcode].load(std::memory_order_acquire);
  if (!h) {
    h = &ForwardMetrics::get().request_duration.with({"forward", spec_.text, dns::rcode_name(rcode)});
    duration_by_rcode_[rcode].store(h, std::memory_order_release);
  }
  h->observe(seconds);
}

void Upstream::count_connection(bool tcp, bool reused) {
  (reused ? conn_hits_ : conn_misses_)[tcp ? 1 : 0]->inc();
}

}  // namespace coredns::plugins::forward
