#include "plugins/forward/forward.h"

#include <fmt/format.h>

#include <chrono>

#include "core/async/loop.h"
#include "core/async/worker_id.h"
#include "core/dns/builder.h"
#include "core/dns/response_type.h"
#include "plugins/forward/random.h"

namespace coredns::plugins::forward {
namespace {

using Clock = std::chrono::steady_clock;

// CoreDNS gives one query at most 5 s of attempts (not configurable), checked before each one.
constexpr auto kQueryDeadline = std::chrono::seconds(5);

class ConcurrencySlot {
 public:
  explicit ConcurrencySlot(std::atomic<int64_t>* counter) : counter_(counter) {
    if (counter_) count_ = counter_->fetch_add(1, std::memory_order_relaxed) + 1;
  }
  ~ConcurrencySlot() {
    if (counter_) counter_->fetch_sub(1, std::memory_order_relaxed);
  }
  int64_t count() const { return count_; }

 private:
  std::atomic<int64_t>* counter_;
  int64_t count_ = 0;
};

}  // namespace

std::vector<uint8_t> build_probe_query(const ForwardConfig& config) {
  dns::Header h;
  h.set(dns::Header::RD, config.health_check_rd);
  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, h);
  b.add_question(config.health_check_domain, dns::type::NS, dns::cls::IN);
  b.finish();
  return out;
}

Forward::Forward(ForwardConfig config, bool next_is_forward)
    : shared_(std::make_shared<ForwardShared>()),
      selector_(config.policy, config.to.size()),
      next_is_forward_(next_is_forward),
      workers_(static_cast<size_t>(async::worker_slots()), nullptr),
      concurrent_error_(fmt::format("concurrent queries exceeded maximum {}", config.max_concurrent)),
      broken_(ForwardMetrics::get().healthcheck_broken.with({})),
      rejects_(ForwardMetrics::get().max_concurrent_rejects.with({})) {
  shared_->config = std::move(config);
  auto tls = tls_configs(shared_->config);
  for (size_t i = 0; i < shared_->config.to.size(); ++i)
    shared_->upstreams.push_back(std::make_unique<Upstream>(shared_->config.to[i], tls[i]));
  shared_->probe_query = build_probe_query(shared_->config);
}

Forward::~Forward() {
  // Workers released theirs in worker_stop; this is for a transport made off the workers.
  for (WorkerTransport* t : workers_)
    if (t) t->shutdown();
}

void Forward::worker_stop() {
  WorkerTransport*& t = workers_[static_cast<size_t>(async::worker_index())];
  if (!t) return;
  WorkerTransport* stopping = t;
  t = nullptr;
  stopping->shutdown();
}

WorkerTransport& Forward::transport() {
  WorkerTransport*& t = workers_[static_cast<size_t>(async::worker_index())];
  if (!t) t = new WorkerTransport(shared_, async::current_loop());
  return *t;
}

bool Forward::matches(const dns::Name& qname) const {
  const ForwardConfig& c = shared_->config;
  if (!qname.is_subdomain_of(c.from)) return false;
  if (qname == c.from) return true;
  for (const dns::Name& e : c.except)
    if (qname.is_subdomain_of(e)) return false;
  return true;
}

Task<Response> Forward::serve(Request& req, Next next) {
  if (!matches(req.qname_lower())) co_return co_await next(req);
  const ForwardConfig& cfg = shared_->config;

  ConcurrencySlot slot(cfg.max_concurrent > 0 ? &inflight_ : nullptr);
  if (cfg.max_concurrent > 0 && slot.count() > cfg.max_concurrent) {
    rejects_.inc();
    co_return Response::unwritten(dns::rcode::REFUSED, concurrent_error_);
  }

  WorkerTransport& t = transport();
  const bool tcp = cfg.force_tcp || (req.tcp() && !cfg.prefer_udp);
  const size_t n = shared_->upstreams.size();
  const Order order = selector_.order();
  const uint32_t cap = cfg.attempt_cap();
  const auto deadline = Clock::now() + kQueryDeadline;

  std::string last_error;
  uint32_t attempts = 0;
  size_t i = 0;
  size_t down_seen = 0;
  size_t failovers = 0;
  while (Clock::now() < deadline && (cap == 0 || attempts < cap)) {
    if (i >= n) {
      i = 0;
      down_seen = 0;
    }
    size_t index = order[i];
    bool all_down = false;
    if (shared_->upstreams[index]->down(cfg.max_fails)) {
      if (++down_seen < n) {
        ++i;
        continue;
      }
      broken_.inc();
      if (cfg.failfast_all_unhealthy) break;
      // Every upstream is Down: try one at random, once.
      index = fast_random_below(static_cast<uint32_t>(n));
      all_down = true;
    }
    Upstream& up = *shared_->upstreams[index];
    const auto started = Clock::now();
    ExchangeResult r = co_await Exchange(t, index, req.wire(), tcp);

    dns::MessageView view;
    if (r.ok && view.parse(r.reply) != dns::MessageView::Error::none) {
      r.ok = false;
      r.error = fmt::format("dns: malformed reply from {}", up.text());
    }
    if (!r.ok) {
      last_error = std::move(r.error);
      if (cfg.max_fails > 0) t.start_health_check(index);
      ++attempts;
      if (all_down) break;
      ++i;
      continue;
    }
    const uint16_t rcode = dns::full_rcode(view);
    up.observe(rcode, std::chrono::duration<double>(Clock::now() - started).count());
    if (rcode < cfg.failover.size() && cfg.failover.test(rcode) && ++failovers < n) {
      ++i;
      continue;
    }
    if (next_is_forward_) {
      const bool hand_over =
          (rcode < cfg.next.size() && cfg.next.test(rcode)) ||
          (cfg.next_on_nodata && rcode == dns::rcode::NOERROR && view.header().ancount == 0);
      if (hand_over) co_return co_await next(req);
    }
    dns::store16(r.reply.data(), req.id());
    co_return Response::reply(std::move(r.reply), rcode);
  }
  co_return Response::unwritten(dns::rcode::SERVFAIL,
                                last_error.empty() ? "no healthy proxies" : std::move(last_error));
}

}  // namespace coredns::plugins::forward
