#pragma once
// The prometheus plugin's place in the chain: it times the rest of the chain and counts each
// request and response by server, zone, protocol, family, type and rcode (CoreDNS's vars.Report).
//
// The hot path takes no lock and allocates nothing once warm: every worker keeps its own table
// of series pointers, filled on first use of a label combination (the family's lock is taken
// then, once per series and worker). Query types outside CoreDNS's monitored set count as
// "other", so the tables are small and bounded.
#include <array>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/dns/name.h"
#include "core/metrics/metrics.h"
#include "core/plugin/handler.h"
#include "plugins/metrics/metrics.h"

namespace coredns::plugins::metrics {

// CoreDNS's monitored query types; index kTypeSlots-1 is "other".
inline constexpr size_t kTypeSlots = 19;
size_t type_slot(uint16_t qtype);
std::string type_label(size_t slot);

class PrometheusHandler : public coredns::Handler {
 public:
  // `zones`: the server block's zones ("example.org."), for the zone label.
  explicit PrometheusHandler(const std::vector<std::string>& zones);
  std::string_view name() const override { return "prometheus"; }
  Task<Response> serve(Request& req, Next next) override;

  // Counts one request and its response (public for the tests).
  void record(const Request& req, const Response& resp, double seconds);

 private:
  using Counter = coredns::metrics::Counter;
  using Histogram = coredns::metrics::Histogram;

  struct ZoneSeries {
    std::array<Counter*, 2 * 2 * kTypeSlots> requests{};  // [proto][family][type]
    std::array<Histogram*, kTypeSlots> duration{};
    std::array<Histogram*, 2> request_size{};  // [proto]
    std::array<Histogram*, 2> response_size{};
    struct Rcode {
      uint16_t rcode;
      std::string plugin;
      Counter* counter;
    };
    std::vector<Rcode> responses;
  };
  struct ServerSeries {
    const std::string* server;  // Request::server_key(): the same object for the same server
    std::string label;          // "dns://:53"
    std::vector<ZoneSeries> zones;
  };
  struct alignas(64) WorkerSeries {
    std::vector<ServerSeries> servers;
  };

  ServerSeries& server_series(const Request& req);
  size_t zone_index(const Request& req) const;

  Families& families_;
  std::vector<dns::Name> zones_;  // lower-cased; the last entry is "." when no zone matches
  std::vector<std::string> zone_labels_;
  int slots_;
  std::unique_ptr<WorkerSeries[]> workers_;
};

}  // namespace coredns::plugins::metrics
