#pragma once
// prometheus: /metrics in the Prometheus text format, and the per-request metrics of CoreDNS's
// metrics plugin (names, labels, help texts and buckets are CoreDNS's).
#include <string>

#include "core/corefile/dispenser.h"
#include "core/http/message.h"
#include "core/metrics/metrics.h"

namespace coredns::plugins::metrics {

struct Config {
  std::string address = "localhost:9153";
};

// `prometheus [ADDRESS]`, once per server block. Throws ConfigError with CoreDNS's texts.
Config parse(corefile::Dispenser& d);

// The process-wide families the plugin writes (registered once, reused by every reload).
struct Families {
  coredns::metrics::CounterFamily& requests;
  coredns::metrics::CounterFamily& responses;
  coredns::metrics::HistogramFamily& duration;
  coredns::metrics::HistogramFamily& request_size;
  coredns::metrics::HistogramFamily& response_size;
  coredns::metrics::GaugeFamily& plugin_enabled;
  coredns::metrics::GaugeFamily& build_info;

  static Families& get();
};

// GET /metrics: every family of the process registry (Prometheus text format 0.0.4).
http::Reply serve(const http::Request& req);

}  // namespace coredns::plugins::metrics
