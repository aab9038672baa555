#include "plugins/dns64/dns64.h"

#include <algorithm>

#include "core/dns/types.h"
#include "core/dns/wire.h"
#include "plugins/dns64/ipv4only.h"
#include "plugins/dns64/reverse.h"

namespace coredns::plugins::dns64 {
namespace {

// "\4arpa\0": ipv4only.arpa and the reverse trees both end so; everything else skips two checks.
bool under_arpa(const dns::Name& lower) {
  static constexpr uint8_t kArpa[] = {4, 'a', 'r', 'p', 'a', 0};
  const auto w = lower.wire();
  return w.size() > sizeof kArpa &&
         std::equal(std::begin(kArpa), std::end(kArpa), w.end() - sizeof kArpa);
}

bool parse_reply(const Response& r, dns::MessageView& v) {
  return r.written() && v.parse(r.wire) == dns::MessageView::Error::none && v.has_question();
}

// The AAAA reply without its excluded records; a new message, to be scrubbed like any other.
Response filtered(Response aaaa, const dns::MessageView& v, const CidrList& exclude) {
  aaaa.wire = without_excluded(v, exclude);
  aaaa.scrubbed = false;
  return aaaa;
}

bool has_record(const dns::MessageView& v, dns::Section section, uint16_t type) {
  for (const dns::RecordView& rr : v.records(section))
    if (rr.type == type) return true;
  return false;
}

// A reply that the rest of the chain promised fresh, but which dns64 chose after another lookup.
Response unpromised(Response r) {
  r.fresh_for = 0;
  return r;
}

Response no_reply() {
  return Response::unwritten(dns::rcode::SERVFAIL, "plugin/dns64: the lookup got no reply");
}

}  // namespace

Dns64::Dns64(Config config, int64_t (*now_ns)()) : config_(std::move(config)), store_(now_ns) {}

std::optional<Dns64::Gates> Dns64::keeping_gates(std::span<Handler* const> chain,
                                                 const Handler* self) {
  auto it = std::find(chain.begin(), chain.end(), self);
  if (it == chain.end()) return std::nullopt;
  Gates gates;
  for (++it; it != chain.end(); ++it) {
    switch ((*it)->reply_reuse()) {
      case Reuse::source: return gates;
      case Reuse::gate: gates.push_back(*it); continue;
      case Reuse::pass: continue;
      case Reuse::none: return std::nullopt;
    }
  }
  return std::nullopt;
}

bool Dns64::kept_answer(const Request& req, Response& out) {
  if (!keep_) return false;
  const std::optional<uint32_t> left = store_.find(req, out.wire);
  if (!left) return false;
  // A kept answer stands for the AAAA query and the A lookup: each gate must pass both on.
  for (Handler* gate : gates_)
    if (!gate->admits(req, dns::type::AAAA) || !gate->admits(req, dns::type::A)) return false;
  out.rcode = dns::load16(out.wire.data() + 2) & 0xF;
  out.plain = true;  // kept without OPT, cut at its last record (AnswerStore::keep)
  metrics::Counter& translated = translated_.cell(req.server_key());
  translated.inc();
  if (promises_) {
    out.fresh_for = *left;
    out.on_reuse = {&translated};
  }
  return true;
}

bool Dns64::serves(const Request& req) const {
  // dns64's own lookups never nest (A and PTR are not intercepted), but another plugin's may
  // reach it; past the bound they pass through, which ends any loop between them.
  if (!req.may_lookup()) return false;
  if (req.do_bit() && req.cd_bit()) return false;
  if (!config_.clients.empty()) return config_.clients.contains(req.remote());
  return config_.allow_ipv4 || !req.remote().is_ipv4();
}

Task<Response> Dns64::serve(Request& req, Next next) {
  if (req.qclass() != dns::cls::IN) return next(req);
  const dns::Name& lower = req.qname_lower();
  if (config_.except.covers(lower)) return next(req);
  const bool on = serves(req);
  const bool arpa = under_arpa(lower);
  if (arpa && is_ipv4only_name(lower)) return local(req, on);
  if (!on) return next(req);
  if (req.qtype() == dns::type::AAAA) {
    // A kept answer is a hit: it answers at once, without a coroutine (Task::ready).
    if (Response kept; kept_answer(req, kept)) return Task<Response>::ready(std::move(kept));
    return config_.translate_all_for(lower) ? a_first(req, next) : aaaa_first(req, next);
  }
  if (arpa && req.qtype() == dns::type::PTR) {
    if (auto v6 = parse_ip6_arpa(lower))
      if (auto v4 = config_.prefix.extract(*v6); v4 && embedding().usable(v4->data()))
        return reverse(req, *v4);
  }
  return next(req);
}

Task<Response> Dns64::aaaa_first(Request& req, Next next) {
  Response aaaa = co_await next(req);
  uint32_t bound = kTtlWithoutSoa;
  dns::MessageView v;
  bool negative = false;  // a NOERROR AAAA reply without a usable AAAA record
  if (aaaa.written()) {
    if (!parse_reply(aaaa, v)) co_return aaaa;
    if (auto done = settle_aaaa(aaaa, v, bound)) co_return std::move(*done);
    negative = v.header().rcode() == dns::rcode::NOERROR;  // synthesize: no usable AAAA
  } else if (aaaa.rcode != dns::rcode::SERVFAIL) {
    co_return aaaa;  // REFUSED and the like: the next plugin declined, not failed
  }
  // RFC 6147 §5.1.3: a SERVFAIL or a timeout on AAAA still leads to the A lookup.
  Response a = co_await req.lookup(req.qname_lower(), dns::type::A);
  dns::MessageView av;
  if (!parse_reply(a, av)) co_return no_reply();
  // What comes of both lookups is promised fresh only when synthesized (from_a_reply).
  if (negative && nothing_to_translate(av))
    co_return unpromised(no_address(req, std::move(aaaa), v, av));
  // A kept answer must outlive neither the negative AAAA answer nor the A records.
  const uint32_t fresh = negative ? std::min(aaaa.fresh_for, a.fresh_for) : 0;
  Response out = from_a_reply(req, std::move(aaaa.wire), av, bound, fresh);
  out.error = std::move(aaaa.error);
  co_return out;
}

Task<Response> Dns64::a_first(Request& req, Next next) {
  Response a = co_await req.lookup(req.qname_lower(), dns::type::A);
  dns::MessageView av;
  if (!parse_reply(a, av)) co_return no_reply();
  if (!nothing_to_translate(av))
    co_return from_a_reply(req, {}, av, kTtlWithoutSoa, a.fresh_for);

  // No A to translate: the name may be IPv6-only, and then its own AAAA records are the answer.
  // Whatever comes of it depended on the A reply too: no promise (unpromised).
  Response aaaa = co_await next(req);
  uint32_t bound = kTtlWithoutSoa;
  dns::MessageView v;
  if (parse_reply(aaaa, v)) {
    if (auto done = settle_aaaa(aaaa, v, bound)) co_return unpromised(std::move(*done));
    if (v.header().rcode() == dns::rcode::NOERROR)
      co_return unpromised(no_address(req, std::move(aaaa), v, av));
  }
  Response out = from_a_reply(req, std::move(aaaa.wire), av, bound);
  out.error = std::move(aaaa.error);
  co_return out;
}

bool Dns64::nothing_to_translate(const dns::MessageView& a_reply) const {
  return a_reply.header().rcode() == dns::rcode::NOERROR &&
         usable_a_records(a_reply, embedding()) == 0;
}

Response Dns64::no_address(const Request& req, Response aaaa, const dns::MessageView& v,
                           const dns::MessageView& a_reply) {
  // The A side's negative answer, with its SOA, as CoreDNS gives it. An A reply whose records
  // were all left out (not global) has no SOA, and a negative answer without one reads as a
  // referral and cannot be cached (RFC 2308 §2.2, §5): then the AAAA reply, as the upstream
  // gave it, less any excluded records.
  if (has_record(a_reply, dns::Section::authority, dns::type::SOA))
    return from_a_reply(req, std::move(aaaa.wire), a_reply, kTtlWithoutSoa);
  if (has_record(v, dns::Section::answer, dns::type::AAAA))
    return filtered(std::move(aaaa), v, config_.exclude);
  return aaaa;
}

std::optional<Response> Dns64::settle_aaaa(Response& aaaa, const dns::MessageView& v,
                                           uint32_t& bound) const {
  switch (judge_aaaa(v, config_.exclude)) {
    case AaaaVerdict::name_error:
    case AaaaVerdict::answer: return std::move(aaaa);
    case AaaaVerdict::answer_excluded: return filtered(std::move(aaaa), v, config_.exclude);
    case AaaaVerdict::synthesize: bound = ttl_bound(v); break;
  }
  return std::nullopt;
}

Response Dns64::from_a_reply(const Request& req, std::vector<uint8_t> buffer,
                             const dns::MessageView& a_reply, uint32_t ttl_bound,
                             uint32_t fresh_for) {
  const Assembled r = assemble(buffer, req.msg(), a_reply, ttl_bound, embedding());
  if (!r.synthesized) return Response::reply(std::move(buffer), r.rcode);
  metrics::Counter& translated = translated_.cell(req.server_key());
  translated.inc();
  const bool lasting = fresh_for && r.rcode == dns::rcode::NOERROR;
  if (keep_ && lasting) store_.keep(req, buffer, fresh_for);
  Response out = Response::reply(std::move(buffer), r.rcode);
  if (promises_ && lasting) {
    out.fresh_for = fresh_for;
    out.on_reuse = {&translated};
  }
  return out;
}

Task<Response> Dns64::reverse(Request& req, Ipv4 v4) {
  const dns::Name target = in_addr_arpa(v4);
  Response r = co_await req.lookup(target, dns::type::PTR);
  dns::MessageView v;
  if (!parse_reply(r, v)) co_return no_reply();
  std::vector<uint8_t> out;
  const uint16_t rcode = assemble_reverse(out, req.msg(), target, v);
  translated_.inc(req.server_key());
  co_return Response::reply(std::move(out), rcode);
}

Task<Response> Dns64::local(const Request& req, bool dns64_on) {
  LocalAnswer a = answer_ipv4only(req.msg(), req.qname_lower(), dns64_on ? &config_.prefix : nullptr);
  if (a.synthesized) translated_.inc(req.server_key());
  co_return Response::reply(std::move(a.wire), a.rcode);
}

}  // namespace coredns::plugins::dns64
