#include "plugins/metrics/metrics.h"

#include "core/http/address_directive.h"

namespace coredns::plugins::metrics {

using coredns::metrics::Registry;

Config parse(corefile::Dispenser& d) {
  return Config{http::parse_address_directive(d, Config{}.address)};
}

Families& Families::get() {
  static Families f{
      Registry::global().counter("coredns_dns_requests_total",
                                 "Counter of DNS requests made per zone, protocol and family.",
                                 {"server", "zone", "view", "proto", "family", "type"}),
      Registry::global().counter("coredns_dns_responses_total", "Counter of response status codes.",
                                 {"server", "zone", "view", "rcode", "plugin"}),
      Registry::global().histogram("coredns_dns_request_duration_seconds",
                                   "Histogram of the time (in seconds) each request took per zone.",
                                   {"server", "zone", "view", "type"},
                                   coredns::metrics::time_buckets()),
      Registry::global().histogram(
          "coredns_dns_request_size_bytes",
          "Size of the EDNS0 UDP buffer in bytes (64K for TCP) per zone and protocol.",
          {"server", "zone", "view", "proto"}, coredns::metrics::size_buckets()),
      Registry::global().histogram("coredns_dns_response_size_bytes",
                                   "Size of the returned response in bytes.",
                                   {"server", "zone", "view", "proto"},
                                   coredns::metrics::size_buckets()),
      Registry::global().gauge(
          "coredns_plugin_enabled",
          "A metric that indicates whether a plugin is enabled on per server and zone basis.",
          {"name", "server", "zone", "view"}),
      Registry::global().gauge("coredns_build_info",
                               "A metric with a constant '1' value labeled by version, revision, "
                               "and goversion from which CoreDNS was built.",
                               {"version", "revision", "goversion"}),
  };
  return f;
}

http::Reply serve(const http::Request&) {
  return http::Reply{200, "text/plain; version=0.0.4; charset=utf-8",
                     Registry::global().render()};
}

}  // namespace coredns::plugins::metrics
