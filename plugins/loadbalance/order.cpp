#include "plugins/loadbalance/order.h"

#include <algorithm>

#include "core/dns/types.h"

namespace coredns::plugins::loadbalance {
namespace {

bool is_address(const dns::RecordView& rr) {
  return rr.type == dns::type::A || rr.type == dns::type::AAAA;
}

void shuffle(Records& rrs, const Random& rnd) {
  for (size_t i = rrs.size(); i > 1; --i)
    std::swap(rrs[i - 1], rrs[rnd(static_cast<uint32_t>(i))]);
}

struct Groups {
  Records cname, address, mx, rest;
  explicit Groups(const Records& rrs) {
    for (const auto& rr : rrs) {
      if (rr.type == dns::type::CNAME) cname.push_back(rr);
      else if (is_address(rr)) address.push_back(rr);
      else if (rr.type == dns::type::MX) mx.push_back(rr);
      else rest.push_back(rr);
    }
  }
  // CNAMEs first (stub resolvers such as glibc's expect them there), as CoreDNS orders.
  void join(Records& out) const {
    out.clear();
    for (const Records* g : {&cname, &rest, &address, &mx}) out.insert(out.end(), g->begin(), g->end());
  }
};

}  // namespace

void round_robin(Records& rrs, const Random& rnd) {
  if (rrs.size() <= 1) return;
  const uint16_t first = rrs.front().type;
  if (is_address(rrs.front()) &&
      std::all_of(rrs.begin(), rrs.end(), [&](const auto& rr) { return rr.type == first; })) {
    shuffle(rrs, rnd);
    return;
  }
  Groups g(rrs);
  shuffle(g.address, rnd);
  shuffle(g.mx, rnd);
  g.join(rrs);
}

void prefer(Records& rrs, std::span<const uint8_t> msg, const CidrList& cidrs) {
  if (cidrs.empty() || rrs.size() <= 1) return;
  Groups g(rrs);
  Records sorted;
  std::vector<bool> taken(g.address.size(), false);
  auto family = [](const dns::RecordView& rr) {
    return rr.type == dns::type::A ? AF_INET : AF_INET6;
  };
  for (const Cidr& c : cidrs.items())
    for (size_t i = 0; i < g.address.size(); ++i) {
      const auto& rr = g.address[i];
      const bool well_formed = rr.rdlength == (rr.type == dns::type::A ? 4 : 16);
      if (!taken[i] && well_formed && c.contains(family(rr), msg.data() + rr.rdata_offset)) {
        taken[i] = true;
        sorted.push_back(rr);
      }
    }
  for (size_t i = 0; i < g.address.size(); ++i)
    if (!taken[i]) sorted.push_back(g.address[i]);
  rrs.clear();
  for (const Records* part : {&g.cname, &sorted, &g.mx, &g.rest})
    rrs.insert(rrs.end(), part->begin(), part->end());
}

void weighted(Records& rrs, const std::function<uint32_t(const dns::RecordView&)>& weight,
              const Random& rnd) {
  Groups g(rrs);
  if (g.address.empty()) return;
  uint32_t total = 0;
  std::vector<uint32_t> weights;
  for (const auto& rr : g.address) {
    weights.push_back(weight(rr));
    total += weights.back();
  }
  uint32_t pick = rnd(total);
  size_t chosen = 0;
  while (pick >= weights[chosen]) pick -= weights[chosen++];
  std::swap(g.address[0], g.address[chosen]);
  g.join(rrs);
}

}  // namespace coredns::plugins::loadbalance
