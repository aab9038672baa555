#include "plugins/acl/acl.h"

#include "core/dns/builder.h"
#include "core/dns/reply.h"
#include "core/dns/types.h"

namespace coredns::plugins::acl {

std::vector<uint8_t> refusal(const Request& req, Action action) {
  const bool block = action == Action::block;
  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, dns::reply_header(req.msg()));
  b.header().set_rcode(block ? dns::rcode::REFUSED : dns::rcode::NOERROR);
  b.add_question_from(req.msg());
  // RFC 8914 §4.16/§4.18. Unlike CoreDNS, a client without EDNS gets no OPT (RFC 6891 §7)
  // and DO is the client's, not always set.
  dns::add_reply_opt(b, req.msg(), dns::ede_option(block ? dns::ede::BLOCKED : dns::ede::FILTERED));
  b.finish();
  return out;
}

Acl::Acl(std::vector<Rule> rules, std::vector<ServerLabel> servers)
    : rules_(std::move(rules)),
      servers_(std::move(servers)),
      blocked_(metrics::Registry::global().counter("coredns_acl_blocked_requests_total",
                                                   "Counter of DNS requests being blocked.",
                                                   {"server", "view", "zone"})),
      filtered_(metrics::Registry::global().counter("coredns_acl_filtered_requests_total",
                                                    "Counter of DNS requests being filtered.",
                                                    {"server", "view", "zone"})),
      dropped_(metrics::Registry::global().counter("coredns_acl_dropped_requests_total",
                                                   "Counter of DNS requests being dropped.",
                                                   {"server", "view", "zone"})),
      allowed_(metrics::Registry::global().counter("coredns_acl_allowed_requests_total",
                                                   "Counter of DNS requests being allowed.",
                                                   {"server", "view"})) {
  if (servers_.empty()) servers_.push_back({"", 0, ""});
  for (const Rule& r : rules_) {
    zone_base_.push_back(zone_count_);
    zone_count_ += r.zones.size();
  }
  const size_t n = servers_.size() * (3 * zone_count_ + 1);
  series_ = std::make_unique<std::atomic<metrics::Counter*>[]>(n);
  for (size_t i = 0; i < n; ++i) series_[i].store(nullptr, std::memory_order_relaxed);
}

template <typename Labels>
metrics::Counter& Acl::counter(metrics::CounterFamily& family, size_t slot, Labels labels) {
  metrics::Counter* c = series_[slot].load(std::memory_order_acquire);
  if (!c) {
    c = &family.with(labels());
    series_[slot].store(c, std::memory_order_release);
  }
  return *c;
}

size_t Acl::server_index(const Request& req) const {
  if (servers_.size() == 1) return 0;
  const uint16_t port = req.local().port();
  const std::string ip = req.local().ip();
  size_t by_port = servers_.size();
  for (size_t i = 0; i < servers_.size(); ++i) {
    if (servers_[i].port != port) continue;
    if (servers_[i].host == ip) return i;
    if (by_port == servers_.size()) by_port = i;
  }
  return by_port == servers_.size() ? 0 : by_port;
}

Task<Response> Acl::serve(Request& req, Next next) {
  const size_t server = server_index(req);
  const size_t base = server * (3 * zone_count_ + 1);
  const std::string& key = servers_[server].key;
  for (size_t ri = 0; ri < rules_.size(); ++ri) {
    const Rule& rule = rules_[ri];
    const int zone = rule.match_zone(req.qname_lower());
    if (zone < 0) continue;
    const Policy* decided = nullptr;
    for (const Policy& p : rule.policies)
      if (p.matches(req.qtype(), req.remote())) {
        decided = &p;
        break;
      }
    if (!decided) continue;
    if (decided->action == Action::allow) break;

    const size_t z = zone_base_[ri] + static_cast<size_t>(zone);
    auto labels = [&] {
      return metrics::Labels{key, "", rule.zone_texts[static_cast<size_t>(zone)]};
    };
    switch (decided->action) {
      case Action::block:
        counter(blocked_, base + z, labels).inc();
        co_return Response::reply(refusal(req, Action::block), dns::rcode::REFUSED, name());
      case Action::filter:
        counter(filtered_, base + zone_count_ + z, labels).inc();
        co_return Response::reply(refusal(req, Action::filter), dns::rcode::NOERROR, name());
      case Action::drop:
        counter(dropped_, base + 2 * zone_count_ + z, labels).inc();
        co_return Response::unwritten(dns::rcode::NOERROR);  // nothing is sent
      case Action::allow:
        break;
    }
  }
  counter(allowed_, base + 3 * zone_count_, [&] { return metrics::Labels{key, ""}; }).inc();
  co_return co_await next(req);
}

}  // namespace coredns::plugins::acl
