#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/metrics/metrics.h"
#include "core/plugin/handler.h"
#include "plugins/acl/config.h"

namespace coredns::plugins::acl {

// CoreDNS's acl: the first policy of the first rule (in zone) that matches the query's type and
// source decides: allow passes the query on and ends the evaluation, block answers REFUSED,
// filter an empty NOERROR, drop nothing at all. No match passes the query on.
class Acl : public Handler {
 public:
  explicit Acl(std::vector<Rule> rules);
  std::string_view name() const override { return "acl"; }
  Task<Response> serve(Request& req, Next next) override;
  // Allowed queries go on unchanged, and the decision depends on the question and the client
  // only: a handler above may ask admits() instead of serving through acl.
  Reuse reply_reuse() const override { return Reuse::gate; }
  bool admits(const Request& req, uint16_t qtype) override;

 private:
  // The counters of one `server` label (Request::server_key), [family 0..2][zone] and then
  // allowed, each looked up on first use (a series appears once it counted something, as in
  // CoreDNS), then kept: the families' lookups take a lock.
  struct ServerSeries {
    const std::string* server;
    std::vector<metrics::Counter*> counters;
  };
  struct alignas(64) WorkerSlot {
    std::vector<ServerSeries> servers;
  };
  ServerSeries& series(const Request& req);
  template <typename Labels>
  metrics::Counter& counter(ServerSeries& s, metrics::CounterFamily& family, size_t slot,
                            Labels labels);

  // The policy that decides a query of `qtype` from req's client, its rule and the zone
  // the name fell in; no policy when the query is allowed.
  struct Decision {
    const Policy* policy = nullptr;
    size_t rule = 0;
    size_t zone = 0;  // within the rule
  };
  Decision decide(const Request& req, uint16_t qtype) const;
  void count_allowed(ServerSeries& s);

  std::vector<Rule> rules_;
  std::vector<size_t> zone_base_;  // rule -> index of its first zone among all rules' zones
  size_t zone_count_ = 0;
  metrics::CounterFamily& blocked_;
  metrics::CounterFamily& filtered_;
  metrics::CounterFamily& dropped_;
  metrics::CounterFamily& allowed_;
  std::unique_ptr<WorkerSlot[]> slots_;  // per worker: no lock once warm
};

// The reply to a blocked (REFUSED, EDE Blocked) or filtered (NOERROR, EDE Filtered) query.
std::vector<uint8_t> refusal(const Request& req, Action action);

}  // namespace coredns::plugins::acl
