// libFuzzer target "cache_reply": the cache (plugins/cache) storing an upstream's reply and
// answering from it. An upstream's bytes are untrusted: forward relays any reply that parses,
// and the cache rewrites its TTLs, keeps record offsets and later patches a copy for each
// client (ID, question case, TTLs' age).
//
// Input layout: [ctl][seconds][qlen hi][qlen lo][query: qlen bytes][reply: the rest]
//   ctl bit 0: the reply is taken as it is; otherwise the query's question is put in place of
//              the reply's (after its 12-byte header), so that most replies match the question
//   ctl bit 1: the second client asks with the name's letters in the other case
//   ctl bits 2-4: rrset_ttls, keepttl, serve_stale (up to an hour)
//   seconds: how far the clock moves before the third query (x 16 s)
// Each query goes through the cache as the server sends it (the Request made of a query the
// pre-dispatch checks accepted) and its reply through the server's scrub. Checked: every reply
// the cache gives parses; a hit carries the asking client's ID and question bytes; a reply the
// cache calls `plain` has no OPT and nothing after its last record; a scrubbed reply fits the
// client unless only header, question and OPT are left.
#include <uv.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <vector>

#include "core/dns/header.h"
#include "core/dns/message.h"
#include "core/dns/response_type.h"
#include "core/dns/scrub.h"
#include "core/dns/wire.h"
#include "core/plugin/handler.h"
#include "core/plugin/request.h"
#include "core/server/replies.h"
#include "plugins/cache/cache.h"

namespace {

using namespace coredns;
using dns::MessageView;
using plugins::cache::Cache;
using plugins::cache::CacheConfig;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "cache_reply invariant violated: %s\n", what);
  std::abort();
}
void check(bool ok, const char* what) {
  if (!ok) fail(what);
}
// The same, with the message in question printed first (a finding is easier to read).
void check(bool ok, const char* what, std::span<const uint8_t> wire) {
  if (ok) return;
  std::fprintf(stderr, "cache_reply: the message (%zu bytes):", wire.size());
  for (size_t i = 0; i < wire.size(); ++i) std::fprintf(stderr, "%s%02x", i % 16 ? " " : "\n  ", wire[i]);
  std::fprintf(stderr, "\n");
  fail(what);
}

int64_t mono_now = 1'000'000'000'000;
int64_t mono_ns() { return mono_now; }
int64_t unix_seconds() { return 1'700'000'000 + mono_now / 1'000'000'000; }

// Stands in for forward: the fuzzer's reply, with the query's ID, when it parses (forward
// relays nothing else); an unwritten SERVFAIL otherwise, as forward after a malformed reply.
class ScriptedUpstream final : public Handler {
 public:
  std::vector<uint8_t> reply;
  int calls = 0;

  std::string_view name() const override { return "forward"; }
  Task<Response> serve(Request& req, Next) override {
    ++calls;
    MessageView v;
    if (reply.size() < dns::kHeaderSize || v.parse(reply) != MessageView::Error::none)
      return Task<Response>::ready(Response::unwritten(dns::rcode::SERVFAIL, "malformed"));
    std::vector<uint8_t> out = reply;
    dns::store16(out.data(), req.id());
    return Task<Response>::ready(Response::reply(std::move(out), dns::full_rcode(v)));
  }
};

struct Answer {
  Response resp;
  bool from_upstream = false;
};

// One query through the cache, as the server runs it, then the server's scrub.
Answer ask(Cache& cache, ScriptedUpstream& upstream, std::span<const uint8_t> query) {
  MessageView qv;
  std::vector<uint8_t> early;
  if (server::precheck_query(query, qv, early) != server::Precheck::accept) return {};
  Request req(qv, Transport::udp, Endpoint{}, Endpoint{}, nullptr);
  Handler* rest[] = {&upstream};
  const int calls_before = upstream.calls;
  std::optional<Response> result;
  async::spawn(cache.serve(req, Next(rest, "cache")),
               [&](std::optional<Response> r, std::exception_ptr e) {
                 if (e) fail("the cache threw");
                 result = std::move(r);
               });
  while (!result) uv_run(uv_default_loop(), UV_RUN_ONCE);
  Answer a{std::move(*result), upstream.calls != calls_before};
  Response& resp = a.resp;
  if (!resp.written()) return a;

  MessageView rv;
  check(rv.parse(resp.wire) == MessageView::Error::none, "the cache's reply does not parse",
        resp.wire);
  if (resp.plain)
    check(!rv.opt() && rv.size() == resp.wire.size(), "a `plain` reply has an OPT or a tail");
  if (!a.from_upstream) {
    check(dns::load16(resp.wire.data()) == req.id(), "a hit carries another client's ID");
    check(rv.has_question() && rv.header().qdcount == 1, "a hit without the question");
    const size_t qend = qv.question().name_offset + qv.question().name_length + 4;
    check(rv.size() >= qend && std::equal(resp.wire.begin() + dns::kHeaderSize,
                                          resp.wire.begin() + static_cast<std::ptrdiff_t>(qend),
                                          qv.bytes().begin() + dns::kHeaderSize),
          "a hit's question differs from the client's");
  }

  const uint16_t before_an = rv.header().ancount;
  dns::scrub_reply(resp.wire, qv, {.tcp = false, .extra_echoed_options = {}}, resp.plain);
  MessageView sv;
  check(sv.parse(resp.wire) == MessageView::Error::none, "the scrubbed reply does not parse",
        resp.wire);
  check(sv.size() == resp.wire.size(), "the scrubbed reply has trailing bytes");
  check(sv.header().ancount <= before_an, "the scrub added answers");
  if (resp.wire.size() > dns::reply_size_limit(qv, false)) {
    uint16_t others = sv.header().ancount + sv.header().nscount + sv.header().arcount;
    if (sv.opt()) --others;
    check(others == 0, "a scrubbed reply over the client's size with records left to drop");
  }
  return a;
}

// The smallest TTL of the records other than OPT, or -1 without any.
int64_t smallest_ttl(const std::vector<uint8_t>& wire) {
  MessageView v;
  if (v.parse(wire) != MessageView::Error::none) return -1;
  int64_t least = -1;
  for (int s = 0; s < 3; ++s)
    for (const dns::RecordView& rr : v.records(static_cast<dns::Section>(s)))
      if (rr.type != dns::type::OPT && (least < 0 || rr.ttl < least)) least = rr.ttl;
  return least;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4 + dns::kHeaderSize) return 0;
  const uint8_t ctl = data[0];
  const int64_t advance_s = int64_t{data[1]} * 16;
  size_t qlen = (size_t{data[2]} << 8) | data[3];
  std::span<const uint8_t> rest{data + 4, size - 4};
  qlen = std::min(qlen, rest.size());
  std::vector<uint8_t> query(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(qlen));
  std::span<const uint8_t> reply_in = rest.subspan(qlen);

  MessageView qv;
  std::vector<uint8_t> early;
  if (server::precheck_query(query, qv, early) != server::Precheck::accept) return 0;
  const size_t qend = qv.question().name_offset + qv.question().name_length + 4;

  ScriptedUpstream upstream;
  if ((ctl & 1) || reply_in.size() < dns::kHeaderSize) {
    upstream.reply.assign(reply_in.begin(), reply_in.end());
  } else {
    upstream.reply.assign(reply_in.begin(), reply_in.begin() + dns::kHeaderSize);
    dns::store16(upstream.reply.data() + 4, 1);  // QDCOUNT
    upstream.reply.insert(upstream.reply.end(), query.begin() + dns::kHeaderSize,
                          query.begin() + static_cast<std::ptrdiff_t>(qend));
    upstream.reply.insert(upstream.reply.end(), reply_in.begin() + dns::kHeaderSize,
                          reply_in.end());
  }

  CacheConfig cfg;
  cfg.zones = {"."};
  cfg.rrset_ttls = ctl & 4;
  cfg.keepttl = ctl & 8;
  if (ctl & 16) {
    cfg.serve_stale = true;
    cfg.stale_up_to = std::chrono::hours(1);
  }
  Cache cache(std::move(cfg), {&mono_ns, &unix_seconds});

  ask(cache, upstream, query);  // a miss: the cache stores the upstream's reply if it may

  // A second client: another ID and, when asked for, the name's letters in the other case.
  std::vector<uint8_t> second = query;
  dns::store16(second.data(), static_cast<uint16_t>(dns::load16(second.data()) ^ 0x5A5A));
  if (ctl & 2)
    for (size_t i = dns::kHeaderSize; i + 4 < qend; ++i)
      if ((second[i] | 0x20) >= 'a' && (second[i] | 0x20) <= 'z') second[i] ^= 0x20;
  const Answer hit = ask(cache, upstream, second);

  mono_now += advance_s * 1'000'000'000;
  const Answer later = ask(cache, upstream, query);
  // A hit ages: never a larger TTL after the clock moved on (keepttl keeps it as stored).
  if (!hit.from_upstream && hit.resp.written() && !later.from_upstream && later.resp.written()) {
    const int64_t before = smallest_ttl(hit.resp.wire), after = smallest_ttl(later.resp.wire);
    check(after <= before || before < 0, "a later hit has a larger TTL");
  }
  // Whatever the cache started in the background (a stale answer's refresh) ends before the
  // cache does.
  while (uv_run(uv_default_loop(), UV_RUN_NOWAIT) != 0) {
  }
  return 0;
}
