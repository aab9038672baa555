#pragma once
// The `forward` handler (CoreDNS's plugin/forward/forward.go): picks upstreams by policy, skips those that are
// Down, fails over on errors, and returns the upstream's reply with the client's ID.
#include <atomic>
#include <memory>
#include <vector>

#include "core/plugin/handler.h"
#include "plugins/forward/policy.h"
#include "plugins/forward/transport.h"

namespace coredns::plugins::forward {

class Forward : public Handler {
 public:
  // `next_is_forward`: the next handler in the chain is another `forward` of this block, which
  // `next` and `next_on_nodata` hand queries to.
  Forward(ForwardConfig config, bool next_is_forward);
  ~Forward() override;

  std::string_view name() const override { return "forward"; }
  Task<Response> serve(Request& req, Next next) override;
  bool accepts_any_class() const override { return true; }

  // Whether a query for `qname` (lower-cased) is this forward's to handle (CoreDNS's
  // forward.go, match).
  bool matches(const dns::Name& qname) const;
  // Releases the calling worker's channels (lifecycle().worker_stop).
  void worker_stop();

  const ForwardConfig& config() const { return shared_->config; }
  const Upstream& upstream(size_t i) const { return *shared_->upstreams[i]; }
  WorkerTransport& transport();

 private:
  std::shared_ptr<ForwardShared> shared_;
  Selector selector_;
  bool next_is_forward_;
  std::vector<WorkerTransport*> workers_;  // by async::worker_index()
  std::atomic<int64_t> inflight_{0};
  std::string concurrent_error_;
  metrics::Counter& broken_;
  metrics::Counter& rejects_;
};

// "<domain> IN NS" with RD unless no_rec: the health probe.
std::vector<uint8_t> build_probe_query(const ForwardConfig& config);

}  // namespace coredns::plugins::forward
