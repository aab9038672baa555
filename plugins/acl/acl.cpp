#include "plugins/acl/acl.h"

#include "core/async/worker_id.h"
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

Acl::Acl(std::vector<Rule> rules)
    : rules_(std::move(rules)),
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
                                                   {"server", "view"})),
      slots_(new WorkerSlot[async::worker_slots()]) {
  for (const Rule& r : rules_) {
    zone_base_.push_back(zone_count_);
    zone_count_ += r.zones.size();
  }
}

Acl::ServerSeries& Acl::series(const Request& req) {
  std::vector<ServerSeries>& known = slots_[async::worker_index()].servers;
  const std::string* server = &req.server_key();
  for (ServerSeries& s : known)
    if (s.server == server) return s;
  return known.emplace_back(ServerSeries{server, std::vector<metrics::Counter*>(3 * zone_count_ + 1)});
}

template <typename Labels>
metrics::Counter& Acl::counter(ServerSeries& s, metrics::CounterFamily& family, size_t slot,
                               Labels labels) {
  metrics::Counter*& c = s.counters[slot];
  if (!c) c = &family.with(labels());
  return *c;
}

Acl::Decision Acl::decide(const Request& req, uint16_t qtype) const {
  for (size_t ri = 0; ri < rules_.size(); ++ri) {
    const Rule& rule = rules_[ri];
    const int zone = rule.match_zone(req.qname_lower());
    if (zone < 0) continue;
    for (const Policy& p : rule.policies) {
      if (!p.matches(qtype, req.remote())) continue;
      if (p.action == Action::allow) return {};
      return {&p, ri, static_cast<size_t>(zone)};
    }
  }
  return {};
}

void Acl::count_allowed(ServerSeries& s) {
  counter(s, allowed_, 3 * zone_count_, [&] { return metrics::Labels{*s.server, ""}; }).inc();
}

bool Acl::admits(const Request& req, uint16_t qtype) {
  if (decide(req, qtype).policy) return false;
  count_allowed(series(req));
  return true;
}

Task<Response> Acl::serve(Request& req, Next next) {
  ServerSeries& s = series(req);
  const Decision d = decide(req, req.qtype());
  if (!d.policy) {
    count_allowed(s);
    co_return co_await next(req);
  }
  const Rule& rule = rules_[d.rule];
  const size_t z = zone_base_[d.rule] + d.zone;
  auto labels = [&] { return metrics::Labels{*s.server, "", rule.zone_texts[d.zone]}; };
  switch (d.policy->action) {
    case Action::block:
      counter(s, blocked_, z, labels).inc();
      co_return Response::reply(refusal(req, Action::block), dns::rcode::REFUSED, name());
    case Action::filter:
      counter(s, filtered_, zone_count_ + z, labels).inc();
      co_return Response::reply(refusal(req, Action::filter), dns::rcode::NOERROR, name());
    case Action::drop:
      counter(s, dropped_, 2 * zone_count_ + z, labels).inc();
      co_return Response::unwritten(dns::rcode::NOERROR);  // nothing is sent
    case Action::allow:
      break;
  }
  count_allowed(s);
  co_return co_await next(req);
}

}  // namespace coredns::plugins::acl
