#include "plugins/template/template.h"

#include <fmt/format.h>

#include "core/dns/builder.h"
#include "core/dns/reply.h"
#include "core/dns/rr_text.h"
#include "core/dns/types.h"

namespace coredns::plugins::tmpl {
namespace {

// CoreDNS's default TTL for a rendered record without one.
constexpr uint32_t kDefaultTtl = 3600;

bool covers(uint16_t want, uint16_t got, uint16_t any) { return want == any || got == any || want == got; }

// A record of the reply: rendered from a template, or copied from a CNAME target's lookup.
struct Entry {
  dns::TextRecord rr;
  const std::vector<uint8_t>* src = nullptr;  // lookup reply the record is copied from
  dns::RecordView view;
};

void add_entry(dns::MessageBuilder& b, dns::Section s, const Entry& e) {
  if (e.src) {
    b.copy_record(s, *e.src, e.view);
  } else if ((e.rr.type == dns::type::CNAME || e.rr.type == dns::type::PTR ||
              e.rr.type == dns::type::NS || e.rr.type == dns::type::DNAME) &&
             e.rr.rdata.size() == e.rr.target.size()) {
    // Compressible, unless it came as RFC 3597 generic RDATA.
    b.add_name_record(s, e.rr.owner, e.rr.type, e.rr.rclass, e.rr.ttl, e.rr.target);
  } else {
    b.add_record(s, e.rr.owner, e.rr.type, e.rr.rclass, e.rr.ttl, e.rr.rdata);
  }
}

}  // namespace

TemplateHandler::TemplateHandler(std::vector<Rule> rules)
    : rules_(std::move(rules)),
      matches_(metrics::Registry::global().counter(
          "coredns_template_matches_total",
          "Counter of template regex matches.", {"server", "zone", "view", "class", "type"})),
      template_failures_(metrics::Registry::global().counter(
          "coredns_template_template_failures_total",
          "Counter of go template failures.",
          {"server", "zone", "view", "class", "type", "section", "template"})),
      rr_failures_(metrics::Registry::global().counter(
          "coredns_template_rr_failures_total",
          "Counter of mis-templated RRs.",
          {"server", "zone", "view", "class", "type", "section", "template"})) {
  std::vector<std::string> all;
  for (const Rule& r : rules_) {
    Compiled c{&r, {}};
    for (const auto& z : r.zones) {
      dns::Name n;
      if (!dns::Name::from_text(z, n)) continue;
      n.to_lower();
      c.zones.push_back(n);
      all.push_back(z);
    }
    compiled_.push_back(std::move(c));
  }
  all_zones_ = ZoneSet(all);
}

int TemplateHandler::match_zone(const Compiled& c, const dns::Name& q) {
  int best = -1;
  for (size_t i = 0; i < c.zones.size(); ++i)
    if (q.is_subdomain_of(c.zones[i]) && (best < 0 || c.zones[i].size() > c.zones[static_cast<size_t>(best)].size()))
      best = static_cast<int>(i);
  return best;
}

metrics::Counter& TemplateHandler::match_counter(const Request& req, const QueryData& d) {
  return matches_.with({req.server_key(), d.zone, "", d.cls, d.type});
}

Task<Response> TemplateHandler::serve(Request& req, Next next) {
  const dns::Name& q = req.qname_lower();
  if (!all_zones_.contains(q)) co_return co_await next(req);
  const std::string name = req.name();
  for (const Compiled& c : compiled_) {
    const Rule& rule = *c.rule;
    const int zone = match_zone(c, q);
    if (zone < 0) continue;
    if (!covers(rule.qclass, req.qclass(), dns::cls::ANY) ||
        !covers(rule.qtype, req.qtype(), dns::type::ANY))
      continue;
    QueryData data;
    const Regex* hit = nullptr;
    for (const Regex& re : rule.regexes)
      if (re.search(name, data.match)) {
        hit = &re;
        break;
      }
    if (!hit) {
      if (rule.fall.through(q)) continue;
      co_return Response::unwritten(dns::rcode::SERVFAIL);
    }
    data.name = name;
    data.zone = c.zones[static_cast<size_t>(zone)].to_text();
    data.cls = dns::class_name(req.qclass() == dns::cls::ANY ? rule.qclass : req.qclass());
    const uint16_t t = req.qtype() == dns::type::ANY ? rule.qtype : req.qtype();
    data.type = dns::type_name(t);
    if (data.type.starts_with("TYPE")) data.type.clear();
    data.regex = hit->pattern();
    data.named = &hit->named_groups();
    co_return co_await reply(req, rule, data);
  }
  co_return co_await next(req);
}

Task<Response> TemplateHandler::reply(Request& req, const Rule& rule, QueryData& data) {
  match_counter(req, data).inc();
  if (rule.rcode == dns::rcode::SERVFAIL) co_return Response::unwritten(dns::rcode::SERVFAIL);

  data.remote = req.remote().ip();
  const dns::MessageView& m = req.msg();
  const dns::Header& h = m.header();
  data.question_name = m.question_name().to_text();
  data.qtype = req.qtype();
  data.qclass = req.qclass();
  data.id = h.id;
  data.opcode = h.opcode();
  data.rcode = h.rcode();
  data.response = h.has(dns::Header::QR);
  data.authoritative = h.has(dns::Header::AA);
  data.truncated = h.has(dns::Header::TC);
  data.recursion_desired = h.has(dns::Header::RD);
  data.recursion_available = h.has(dns::Header::RA);
  data.zero = h.has(dns::Header::Z);
  data.authenticated_data = h.has(dns::Header::AD);
  data.checking_disabled = h.has(dns::Header::CD);

  const std::vector<const std::vector<Template>*> sections{&rule.answer, &rule.additional,
                                                           &rule.authority};
  std::vector<Entry> entries[3];
  std::vector<std::unique_ptr<std::vector<uint8_t>>> lookups;
  bool truncated = false;
  std::string text, error;
  for (size_t s = 0; s < 3; ++s) {
    for (const Template& t : *sections[s]) {
      auto labels = [&] {
        return metrics::Labels{req.server_key(), data.zone, "", data.cls, data.type, t.name(), t.normalized()};
      };
      if (!t.execute(data, text, error)) {
        template_failures_.with(labels()).inc();
        co_return Response::unwritten(dns::rcode::SERVFAIL, error);
      }
      auto rr = dns::parse_rr_text(text, kDefaultTtl, error);
      if (!rr) {
        // Text with no record in it (a template whose `if` printed nothing) adds nothing.
        if (error.empty()) continue;
        rr_failures_.with(labels()).inc();
        co_return Response::unwritten(dns::rcode::SERVFAIL, error);
      }
      const bool chase = s == 0 && rr->type == dns::type::CNAME &&
                         (req.qtype() == dns::type::A || req.qtype() == dns::type::AAAA);
      const dns::Name target = rr->target;
      entries[s].push_back(Entry{std::move(*rr), nullptr, {}});
      // A CNAME's target is resolved through the whole server, as CoreDNS does; the lookup
      // depth bound stops a template that answers its own target with another CNAME.
      if (!chase || !req.may_lookup()) continue;
      Response r = co_await req.lookup(target, req.qtype());
      if (!r.written()) continue;
      auto wire = std::make_unique<std::vector<uint8_t>>(std::move(r.wire));
      dns::MessageView reply;
      if (reply.parse(*wire) != dns::MessageView::Error::none) continue;
      truncated = truncated || reply.header().has(dns::Header::TC);
      for (const dns::RecordView& v : reply.records(dns::Section::answer))
        entries[s].push_back(Entry{{}, wire.get(), v});
      lookups.push_back(std::move(wire));
    }
  }

  const uint16_t rc = rule.rcode;
  if (rc > 15 && !req.has_opt())
    co_return Response::unwritten(
        dns::rcode::SERVFAIL,
        fmt::format("plugin/template: rcode {} needs EDNS, the query has no OPT", dns::rcode_name(rc)));
  std::vector<uint8_t> out;
  dns::Header hdr = dns::reply_header(m);
  hdr.set(dns::Header::AA);
  hdr.set(dns::Header::TC, truncated);
  hdr.set_rcode(rc);
  dns::MessageBuilder b(out, hdr);
  b.add_question_from(m);
  for (const Entry& e : entries[0]) add_entry(b, dns::Section::answer, e);
  for (const Entry& e : entries[2]) add_entry(b, dns::Section::authority, e);
  for (const Entry& e : entries[1]) add_entry(b, dns::Section::additional, e);
  if (req.has_opt() && (rule.ede_code || rc > 15)) {
    // The OPT only when the client sent one (RFC 6891 §7), its DO bit copied (RFC 3225 §3);
    // an rcode above 15 keeps its upper bits there (RFC 6891 §6.1.3).
    const std::vector<uint8_t> opts =
        rule.ede_code ? dns::ede_option(*rule.ede_code, rule.ede_text) : std::vector<uint8_t>{};
    b.add_opt(4096, static_cast<uint8_t>(rc >> 4), 0, m.opt()->flags & 0x8000, opts);
  }
  b.finish();
  // Written, so the server sends this reply alone, also for REFUSED, FORMERR and NOTIMP
  // (CoreDNS then sends a second, bare reply).
  co_return Response::reply(std::move(out), rc, name());
}

}  // namespace coredns::plugins::tmpl
