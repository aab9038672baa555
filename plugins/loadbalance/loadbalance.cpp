#include "plugins/loadbalance/loadbalance.h"

#include <random>

#include "core/dns/builder.h"
#include "core/dns/types.h"
#include "core/util/duration.h"

namespace coredns::plugins::loadbalance {
namespace {

uint32_t thread_random(uint32_t n) {
  thread_local std::minstd_rand rng{std::random_device{}()};
  return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng);
}

bool weighted_type(uint16_t t) {
  return t == dns::type::A || t == dns::type::AAAA || t == dns::type::SRV;
}

}  // namespace

Config parse_config(corefile::Dispenser& d) {
  Config c;
  while (d.next()) {
    std::vector<std::string> args = d.remaining_args();
    const std::string policy = args.empty() ? "round_robin" : args[0];
    if (policy == "round_robin") {
      if (args.size() > 1) throw d.err("unknown property for round_robin");
      c.weighted = false;
      while (d.next_block()) {
        if (d.val() != "prefer") throw d.err("unknown property '" + d.val() + "'");
        for (const std::string& a : d.remaining_args()) {
          auto cidr = a.find('/') != std::string::npos ? Cidr::parse(a) : std::nullopt;
          if (!cidr) throw d.err("invalid CIDR \"" + a + "\": invalid CIDR address: " + a);
          c.prefer.add(*cidr);
        }
      }
    } else if (policy == "weighted") {
      if (args.size() < 2) throw d.err("missing weight file argument");
      if (args.size() > 2) throw d.err("unexpected argument(s)");
      c.weighted = true;
      c.weight_path = args[1];
      while (d.next_block()) {
        if (d.val() != "reload") throw d.err("unknown property '" + d.val() + "'");
        std::vector<std::string> v = d.remaining_args();
        if (v.empty()) throw d.err("reload duration value is missing");
        if (v.size() > 1) throw d.err("unexpected argument");
        try {
          c.reload = parse_duration(v[0]);
        } catch (const ConfigError&) {
          throw d.err("invalid reload duration '" + v[0] + "'");
        }
        if (c.reload.count() < 0) throw d.err("invalid reload duration '" + v[0] + "'");
      }
    } else {
      throw ConfigError("unknown policy: " + policy);
    }
  }
  return c;
}

LoadBalance::LoadBalance(CidrList prefer, std::shared_ptr<WeightFile> weights)
    : prefer_(std::move(prefer)), weights_(std::move(weights)) {}

bool LoadBalance::reorder(const Request& req, std::vector<uint8_t>& reply,
                          const Random& rnd) const {
  dns::MessageView v;
  if (v.parse(reply) != dns::MessageView::Error::none) return false;
  if (v.header().rcode() != dns::rcode::NOERROR) return false;
  const uint16_t qtype = req.qtype();
  if (qtype == dns::type::AXFR || qtype == dns::type::IXFR) return false;
  if (weights_ && !weighted_type(qtype)) return false;

  std::shared_ptr<const WeightTable> table = weights_ ? weights_->table() : nullptr;
  auto weight = [&](const dns::RecordView& rr) -> uint32_t {
    dns::Name owner;
    dns::read_name(v.bytes(), rr.offset, &owner);
    const bool a = rr.type == dns::type::A;
    if (rr.rdlength != (a ? 4 : 16)) return 1;
    return table->weight(owner, a ? AF_INET : AF_INET6, v.bytes().data() + rr.rdata_offset);
  };

  Records sections[3];
  dns::RecordView opt_or_sig[2];
  int trailing = 0;
  bool changed = false;
  for (int s = 0; s < 3; ++s) {
    for (const auto& rr : v.records(static_cast<dns::Section>(s))) {
      // The OPT and a TSIG stay last in the additional section (RFC 6891 §6.1.1, RFC 8945 §5.1).
      if (s == 2 && (rr.type == dns::type::OPT || rr.type == dns::type::TSIG) && trailing < 2)
        opt_or_sig[trailing++] = rr;
      else
        sections[s].push_back(rr);
    }
    Records& rrs = sections[s];
    const Records before = rrs;
    if (weights_) {
      if (s != 1) weighted(rrs, weight, rnd);
    } else {
      round_robin(rrs, rnd);
      if (s != 1) prefer(rrs, v.bytes(), prefer_);
    }
    for (size_t i = 0; i < rrs.size() && !changed; ++i)
      changed = rrs[i].offset != before[i].offset;
  }
  if (!changed) return false;

  std::vector<uint8_t> out;
  out.reserve(reply.size());
  dns::MessageBuilder b(out, v.header());
  b.add_question_from(v);
  for (int s = 0; s < 3; ++s)
    for (const auto& rr : sections[s]) b.copy_record(static_cast<dns::Section>(s), v.bytes(), rr);
  for (int i = 0; i < trailing; ++i) b.copy_record(dns::Section::additional, v.bytes(), opt_or_sig[i]);
  b.finish();
  reply.swap(out);
  return true;
}

Task<Response> LoadBalance::serve(Request& req, Next next) {
  Response r = co_await next(req);
  // Names are compressed anew: a reply already fitted to the client is fitted again.
  if (r.written() && reorder(req, r.wire, thread_random)) r.scrubbed = false;
  co_return r;
}

}  // namespace coredns::plugins::loadbalance
