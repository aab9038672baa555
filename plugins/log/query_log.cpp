#include "plugins/log/query_log.h"

#include <chrono>
#include <ctime>

#include "core/dns/scrub.h"
#include "core/dns/types.h"
#include "core/dns/error_reply.h"
#include "core/util/log.h"
#include "plugins/log/json.h"

namespace coredns::plugins::querylog {
namespace {

dns::ResponseClass class_of(const dns::MessageView& reply) {
  return dns::classify(dns::typify(reply, std::time(nullptr)));
}

// Summary of a complete message the client gets, measured before (`size`, `rcode`) and after
// (flags, class) the scrub, as CoreDNS's recorder sees it.
void describe(std::vector<uint8_t>& wire, const Request& req, bool scrub, bool want_class,
              dns::ResponseClass* cls, ReplySummary& s) {
  s.has_message = true;
  dns::MessageView v;
  if (v.parse(wire) != dns::MessageView::Error::none) {
    // Not a message the scrub can touch either: report the raw bytes.
    s.size = wire.size();
    if (wire.size() >= dns::kHeaderSize) {
      const dns::Header h = dns::Header::read(wire.data());
      s.rcode = h.rcode();
      s.flags = h.flags;
    }
    if (want_class) *cls = dns::ResponseClass::error;
    return;
  }
  s.size = v.uncompressed_size();
  s.rcode = dns::full_rcode(v);
  if (scrub) {
    dns::scrub_reply(wire, req.msg(), {.tcp = req.tcp(), .extra_echoed_options = {}});
    if (want_class && v.parse(wire) != dns::MessageView::Error::none) {
      *cls = dns::ResponseClass::error;
      want_class = false;
    }
  }
  s.flags = dns::Header::read(wire.data()).flags;
  if (want_class) *cls = class_of(v);
}

}  // namespace

ReplySummary summarize(const Request& req, Response& resp, bool want_class,
                       dns::ResponseClass* cls) {
  ReplySummary s;
  if (resp.written()) {
    describe(resp.wire, req, !resp.scrubbed, want_class, cls, s);
    resp.scrubbed = true;
  } else if (dns::is_unwritten_rcode(resp.rcode)) {
    // What the server will send; built here only to be measured (without OPT, as CoreDNS).
    std::vector<uint8_t> reply = dns::error_reply(req.msg(), resp.rcode);
    describe(reply, req, false, want_class, cls, s);
  } else if (want_class) {
    *cls = dns::ResponseClass::error;  // nothing written at all
  }
  return s;
}

void write_line(const Rule& rule, const Request& req, const ReplySummary& r) {
  if (log::format() == log::Format::json) {
    write_json_line(req, r);
    return;
  }
  // One buffer per thread, reused: formatting a line allocates nothing once it has grown.
  thread_local std::string line;
  line.assign("[INFO] ");
  render(line, rule.format, req, r);
  log::write_raw_line(line);
}

const Rule* QueryLog::match(const dns::Name& qname_lower) const {
  for (const Rule& r : rules_)
    if (r.covers(qname_lower)) return &r;
  return nullptr;
}

Task<Response> QueryLog::serve(Request& req, Next next) {
  const Rule* rule = match(req.qname_lower());
  if (!rule) co_return co_await next(req);
  const auto start = std::chrono::steady_clock::now();
  Response resp = co_await next(req);
  const bool want_class = rule->classes != kAllClasses;
  dns::ResponseClass cls = dns::ResponseClass::error;
  ReplySummary s = summarize(req, resp, want_class, &cls);
  if (!want_class || (rule->classes & class_bit(cls))) {
    s.duration = std::chrono::steady_clock::now() - start;
    write_line(*rule, req, s);
  }
  co_return resp;
}

}  // namespace coredns::plugins::querylog
