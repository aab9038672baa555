#pragma once
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/metrics/metrics.h"
#include "core/plugin/handler.h"
#include "plugins/acl/config.h"

namespace coredns::plugins::acl {

// One listener of the server block, for the `server` label of the metrics.
struct ServerLabel {
  std::string host;  // bound address, "" for every address
  uint16_t port = 0;
  std::string key;   // "dns://:53"
};

// CoreDNS's acl: the first policy of the first rule (in zone) that matches the query's type and
// source decides: allow passes the query on and ends the evaluation, block answers REFUSED,
// filter an empty NOERROR, drop nothing at all. No match passes the query on.
class Acl : public Handler {
 public:
  Acl(std::vector<Rule> rules, std::vector<ServerLabel> servers);
  std::string_view name() const override { return "acl"; }
  Task<Response> serve(Request& req, Next next) override;

 private:
  // Counters looked up on first use (a series appears once it counted something, as in
  // CoreDNS), then kept: the families' lookups take a lock.
  template <typename Labels>
  metrics::Counter& counter(metrics::CounterFamily& family, size_t slot, Labels labels);
  size_t server_index(const Request& req) const;

  std::vector<Rule> rules_;
  std::vector<ServerLabel> servers_;
  std::vector<size_t> zone_base_;  // rule -> index of its first zone among all rules' zones
  size_t zone_count_ = 0;
  metrics::CounterFamily& blocked_;
  metrics::CounterFamily& filtered_;
  metrics::CounterFamily& dropped_;
  metrics::CounterFamily& allowed_;
  // [server][family 0..2][zone] and [server] for allowed.
  std::unique_ptr<std::atomic<metrics::Counter*>[]> series_;
};

// The reply to a blocked (REFUSED, EDE Blocked) or filtered (NOERROR, EDE Filtered) query.
std::vector<uint8_t> refusal(const Request& req, Action action);

}  // namespace coredns::plugins::acl
