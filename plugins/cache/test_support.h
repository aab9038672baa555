#pragma once
// Helpers for the cache's unit tests: queries and replies built with the DNS codec, a scripted
// "upstream" handler standing in for forward, a settable clock, and a driver that runs the
// handler's coroutine (and any timers it starts) to completion.
#include <arpa/inet.h>
#include <uv.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/async/loop.h"
#include "core/dns/builder.h"
#include "core/dns/types.h"
#include "core/plugin/handler.h"
#include "plugins/cache/cache.h"
#include "tests/support/handler_test.h"

namespace cache_test {

using namespace coredns;
using namespace std::chrono_literals;
using plugins::cache::Cache;
using plugins::cache::CacheConfig;

inline dns::Name name(const std::string& text) {
  dns::Name n;
  REQUIRE(dns::Name::from_text(text, n));
  return n;
}

inline void put_name(std::vector<uint8_t>& out, const std::string& text) {
  const dns::Name n = name(text);
  out.insert(out.end(), n.wire().begin(), n.wire().end());
}

inline void put32(std::vector<uint8_t>& out, uint32_t v) {
  uint8_t b[4];
  dns::store32(b, v);
  out.insert(out.end(), b, b + 4);
}

struct RR {
  std::string owner;
  uint16_t type = dns::type::A;
  uint32_t ttl = 0;
  std::vector<uint8_t> rdata;  // names inside are written out (never compressed)
  uint16_t rclass = dns::cls::IN;
};

inline RR a(const std::string& owner, uint32_t ttl, const char* ip = "127.0.0.1") {
  RR r{owner, dns::type::A, ttl, std::vector<uint8_t>(4)};
  inet_pton(AF_INET, ip, r.rdata.data());
  return r;
}
inline RR aaaa(const std::string& owner, uint32_t ttl, const char* ip = "::1") {
  RR r{owner, dns::type::AAAA, ttl, std::vector<uint8_t>(16)};
  inet_pton(AF_INET6, ip, r.rdata.data());
  return r;
}
inline RR cname(const std::string& owner, uint32_t ttl, const std::string& target) {
  RR r{owner, dns::type::CNAME, ttl, {}};
  put_name(r.rdata, target);
  return r;
}
inline RR ns(const std::string& owner, uint32_t ttl, const std::string& target) {
  RR r{owner, dns::type::NS, ttl, {}};
  put_name(r.rdata, target);
  return r;
}
inline RR mx(const std::string& owner, uint32_t ttl, uint16_t pref, const std::string& host) {
  RR r{owner, dns::type::MX, ttl, {static_cast<uint8_t>(pref >> 8), static_cast<uint8_t>(pref)}};
  put_name(r.rdata, host);
  return r;
}
inline RR soa(const std::string& owner, uint32_t ttl, uint32_t minimum = 60) {
  RR r{owner, dns::type::SOA, ttl, {}};
  put_name(r.rdata, "ns1." + owner);
  put_name(r.rdata, "hostmaster." + owner);
  for (uint32_t v : {1u, 3600u, 900u, 604800u, minimum}) put32(r.rdata, v);
  return r;
}
// RRSIG over `covered` with the given validity (Unix seconds).
inline RR rrsig(const std::string& owner, uint32_t ttl, uint16_t covered, uint32_t inception,
                uint32_t expiration) {
  RR r{owner, dns::type::RRSIG, ttl, {}};
  r.rdata = {static_cast<uint8_t>(covered >> 8), static_cast<uint8_t>(covered), 8, 2};
  put32(r.rdata, ttl);
  put32(r.rdata, expiration);
  put32(r.rdata, inception);
  r.rdata.push_back(0x12);
  r.rdata.push_back(0x34);
  put_name(r.rdata, owner);
  r.rdata.insert(r.rdata.end(), 16, 0xAB);
  return r;
}

// A reply an upstream would send: by default to the query's question, QR RD RA set.
struct Reply {
  uint16_t rcode = dns::rcode::NOERROR;
  uint16_t flags = dns::Header::QR | dns::Header::RD | dns::Header::RA;
  std::vector<RR> answer = {}, authority = {}, additional = {};
  bool opt = true;  // an OPT record (with DO when the query had it), as forward relays
  std::optional<std::string> qname = {};  // a different question, for mismatch tests
  std::optional<uint16_t> qtype = {};

  std::vector<uint8_t> build(const Request& req) const {
    dns::Header h;
    h.id = req.id();
    h.flags = flags;
    h.set_rcode(rcode);
    std::vector<uint8_t> out;
    dns::MessageBuilder b(out, h);
    b.add_question(qname ? name(*qname) : req.qname(), qtype ? *qtype : req.qtype(),
                   req.qclass());
    const std::pair<dns::Section, const std::vector<RR>*> sections[] = {
        {dns::Section::answer, &answer},
        {dns::Section::authority, &authority},
        {dns::Section::additional, &additional}};
    for (auto [s, rrs] : sections)
      for (const RR& r : *rrs) b.add_record(s, name(r.owner), r.type, r.rclass, r.ttl, r.rdata);
    if (opt && req.has_opt()) b.add_opt(1232, 0, 0, req.do_bit() ? 0x8000 : 0, {});
    b.finish();
    return out;
  }
};

// What the scripted upstream saw of one query.
struct Seen {
  std::string name;
  uint16_t qtype;
  bool ad, cd, do_bit, tcp;
};

// Stands in for forward: answers with `script(req)` (nullopt: an unwritten SERVFAIL, as forward
// on a timeout), after `delay` on the loop when set.
class Upstream : public Handler {
 public:
  std::function<std::optional<Reply>(const Request&)> script;
  std::chrono::milliseconds delay{0};
  std::vector<Seen> seen;
  uint32_t fresh_for = 0;  // Response::fresh_for on its replies (a cache further down)

  std::string_view name() const override { return "upstream"; }
  Task<Response> serve(Request& req, Next) override {
    seen.push_back({req.name(), req.qtype(), req.msg().header().has(dns::Header::AD),
                    req.cd_bit(), req.do_bit(), req.tcp()});
    if (delay.count() > 0) co_await async::sleep_for(delay);
    std::optional<Reply> r = script ? script(req) : std::nullopt;
    if (!r) co_return Response::unwritten(dns::rcode::SERVFAIL, "plugin/forward: timeout");
    Response resp = Response::reply(r->build(req), r->rcode);
    resp.fresh_for = fresh_for;
    co_return resp;
  }
  size_t calls() const { return seen.size(); }
};

// A settable monotonic clock (nanoseconds) and wall clock (Unix seconds).
struct TestClock {
  static inline int64_t mono = 1'000'000'000'000;
  static inline int64_t unix_s = 1492732800;  // 2017-04-21
  static int64_t mono_ns() { return mono; }
  static int64_t unix_now() { return unix_s; }
  static void advance(std::chrono::nanoseconds d) { mono += d.count(); }
  static plugins::cache::Clock clock() { return {&mono_ns, &unix_now}; }
};

struct QueryOpts {
  bool do_bit = false;
  bool cd = false;
  bool ad = false;
  bool aa = false;
  bool edns = true;
  uint16_t qclass = dns::cls::IN;
  uint16_t id = 0x1234;
  Transport transport = Transport::udp;
};

inline std::vector<uint8_t> query_bytes(const std::string& qname, uint16_t qtype,
                                        const QueryOpts& o = {}) {
  dns::Header h;
  h.id = o.id;
  h.set(dns::Header::RD);
  h.set(dns::Header::CD, o.cd);
  h.set(dns::Header::AD, o.ad);
  h.set(dns::Header::AA, o.aa);
  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, h);
  b.add_question(name(qname), qtype, o.qclass);
  if (o.edns) b.add_opt(1232, 0, 0, o.do_bit ? 0x8000 : 0, {});
  b.finish();
  return out;
}

// The parsed reply a client got, with the fields tests look at.
struct Got {
  Got() = default;
  Got(Got&&) = default;  // the view points into `wire`'s buffer, which a move keeps
  Got& operator=(Got&&) = default;
  Got(const Got&) = delete;
  std::vector<uint8_t> wire;
  dns::MessageView view;
  uint16_t rcode = 0;
  bool written = false;
  uint32_t fresh_for = 0;

  const dns::Header& header() const { return view.header(); }
  std::vector<dns::RecordView> records(dns::Section s) const {
    std::vector<dns::RecordView> out;
    for (const auto& rr : view.records(s)) out.push_back(rr);
    return out;
  }
  std::vector<dns::RecordView> answer() const { return records(dns::Section::answer); }
  // The TTL every record carries (they are all the same); -1 without records.
  int64_t ttl() const {
    for (int s = 0; s < 3; ++s)
      for (const auto& rr : view.records(static_cast<dns::Section>(s)))
        if (rr.type != dns::type::OPT) return rr.ttl;
    return -1;
  }
  std::string qname() const { return view.question_name().to_text(); }
  std::string first_ip() const {
    for (const auto& rr : view.records(dns::Section::answer)) {
      char buf[INET6_ADDRSTRLEN] = {0};
      if (rr.type == dns::type::A) inet_ntop(AF_INET, &wire[rr.rdata_offset], buf, sizeof buf);
      if (rr.type == dns::type::AAAA) inet_ntop(AF_INET6, &wire[rr.rdata_offset], buf, sizeof buf);
      if (buf[0]) return buf;
    }
    return "";
  }
};

// A cache in front of a scripted upstream, and a way to ask it.
struct Rig {
  testing::ChainServer server;  // "dns://:53"
  Upstream upstream;
  std::unique_ptr<Cache> cache;
  std::vector<Handler*> rest{&upstream};

  explicit Rig(CacheConfig cfg = {}) {
    if (cfg.zones.empty()) cfg.zones = {"."};
    cache = std::make_unique<Cache>(std::move(cfg), TestClock::clock());
  }

  // Runs one query through the cache; the loop runs until its reply is ready.
  Got ask(const std::string& qname, uint16_t qtype = dns::type::A, const QueryOpts& o = {}) {
    auto bytes = query_bytes(qname, qtype, o);
    Request req(bytes, o.transport, {}, {}, &server);
    std::optional<Response> result;
    async::spawn(cache->serve(req, Next(rest, "cache")),
                 [&](std::optional<Response> r, std::exception_ptr e) {
                   if (e) std::rethrow_exception(e);
                   result = std::move(r);
                 });
    while (!result) uv_run(uv_default_loop(), UV_RUN_ONCE);
    Got g;
    g.rcode = result->rcode;
    g.written = result->written();
    g.fresh_for = result->fresh_for;
    g.wire = std::move(result->wire);
    if (g.written) REQUIRE(g.view.parse(g.wire) == dns::MessageView::Error::none);
    return g;
  }

  // A query started without waiting for its reply (for concurrency tests).
  struct Pending {
    std::vector<uint8_t> bytes;
    std::unique_ptr<Request> req;
    std::optional<Response> result;
  };
  std::shared_ptr<Pending> start(const std::string& qname, uint16_t qtype = dns::type::A,
                                 const QueryOpts& o = {}) {
    auto p = std::make_shared<Pending>();
    p->bytes = query_bytes(qname, qtype, o);
    p->req = std::make_unique<Request>(p->bytes, o.transport, Endpoint{}, Endpoint{}, &server);
    async::spawn(cache->serve(*p->req, Next(rest, "cache")),
                 [p](std::optional<Response> r, std::exception_ptr) { p->result = std::move(r); });
    return p;
  }

  // Lets background work (refreshes, timers) finish.
  static void settle() { uv_run(uv_default_loop(), UV_RUN_DEFAULT); }
};

}  // namespace cache_test
