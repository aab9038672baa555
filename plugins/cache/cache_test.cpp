// The cache in front of a scripted upstream: what is stored, TTLs, prefetch, serve_stale,
// precedence, the AD bit and capacity (CoreDNS's plugin/cache/cache_test.go).
#include "plugins/cache/test_support.h"

using namespace cache_test;

namespace {

constexpr uint16_t A = dns::type::A;
constexpr uint16_t AAAA = dns::type::AAAA;
constexpr uint16_t MX = dns::type::MX;

Reply answer_a(const std::string& owner, uint32_t ttl, const char* ip = "127.0.0.1") {
  Reply r;
  r.answer = {a(owner, ttl, ip)};
  return r;
}

Reply nxdomain(const std::string& zone, uint32_t soa_ttl, uint32_t minimum = 3600) {
  Reply r;
  r.rcode = dns::rcode::NXDOMAIN;
  r.authority = {soa(zone, soa_ttl, minimum)};
  return r;
}

Reply rcode_only(uint16_t rc) {
  Reply r;
  r.rcode = rc;
  return r;
}

// Asks twice; true if the second answer came from the cache.
bool cached(CacheConfig cfg, const std::string& qname, uint16_t qtype, Reply reply,
            QueryOpts o = {}) {
  Rig rig(std::move(cfg));
  rig.upstream.script = [reply](const Request&) { return reply; };
  rig.ask(qname, qtype, o);
  rig.ask(qname, qtype, o);
  return rig.upstream.calls() == 1;
}

CacheConfig stale(Duration up_to, bool verify = false, uint32_t response_ttl = 0) {
  CacheConfig c;
  c.serve_stale = true;
  c.stale_up_to = up_to;
  c.verify = verify;
  c.stale_response_ttl = response_ttl;
  return c;
}

uint64_t metric(const char* name, const metrics::Labels& labels) {
  return metrics::Registry::global().counter(name, "", {}).with(labels).value();
}

}  // namespace

TEST_CASE("storing: MX with AD and RA, TTL 3601 -> 3600, AA on the hit, case-insensitive key") {
  Rig rig;
  rig.upstream.script = [](const Request&) {
    Reply r;
    r.flags |= dns::Header::AD;
    r.answer = {mx("miek.nl.", 3601, 1, "mx.miek.nl."), mx("miek.nl.", 3601, 10, "mx2.miek.nl.")};
    return r;
  };
  auto first = rig.ask("miek.nl.", MX, {.ad = true});
  CHECK(first.ttl() == 3600);
  CHECK(first.header().has(dns::Header::AD));
  CHECK_FALSE(first.view.opt());  // the upstream's OPT is not passed on
  auto hit = rig.ask("mIEK.nL.", MX, {.ad = true, .id = 99});
  CHECK(rig.upstream.calls() == 1);
  CHECK(hit.header().id == 99);
  CHECK(hit.ttl() == 3600);
  CHECK(hit.answer().size() == 2);
  CHECK(hit.header().has(dns::Header::AA));
  CHECK(hit.header().has(dns::Header::AD));
  CHECK(hit.header().has(dns::Header::RA));
  CHECK(hit.qname() == "mIEK.nL.");
}

TEST_CASE("storing: what is cached and what is not") {
  CacheConfig plain;
  Reply tc = answer_a("example.org.", 60);
  tc.flags |= dns::Header::TC;
  CHECK_FALSE(cached(plain, "example.org.", A, tc));
  CHECK(cached(plain, "nx.example.org.", A, nxdomain("example.org.", 3600)));
  CHECK_FALSE(cached(plain, "1.0.0.127.in-addr.arpa.", dns::type::PTR,
                     rcode_only(dns::rcode::NXDOMAIN)));
  CHECK(cached(plain, "example.org.", A, rcode_only(dns::rcode::SERVFAIL)));
  CHECK(cached(plain, "example.org.", A, rcode_only(dns::rcode::NOTIMP)));
  CHECK_FALSE(cached(plain, "example.org.", A, rcode_only(dns::rcode::FORMERR)));
  CHECK_FALSE(cached(plain, "example.org.", A, rcode_only(dns::rcode::REFUSED)));

  // RRSIG validity is judged when the reply's OPT has DO (test clock 2017-04-21).
  const uint32_t y2016 = 1451606400, y2016end = 1483228799, y2017 = 1483228800,
                 y2018 = 1514764800;
  Reply expired;
  expired.answer = {mx("miek.nl.", 60, 1, "mx.miek.nl."),
                    rrsig("miek.nl.", 60, MX, y2016, y2016end)};
  CHECK_FALSE(cached(plain, "miek.nl.", MX, expired, {.do_bit = true}));
  Reply valid;
  valid.answer = {mx("miek.nl.", 60, 1, "mx.miek.nl."), rrsig("miek.nl.", 60, MX, y2017, y2018)};
  CHECK(cached(plain, "miek.nl.", MX, valid, {.do_bit = true}));

  CHECK(cached(plain, "example.org.", A, answer_a("example.org.", 60), {.cd = true}));

  // CNAME chains.
  Reply dangling;
  dangling.answer = {cname("a.nl.", 60, "b.nl."), cname("b.nl.", 60, "c.nl.")};
  CHECK_FALSE(cached(plain, "a.nl.", A, dangling));
  Reply only_aaaa;
  only_aaaa.answer = {cname("a.nl.", 60, "b.nl."), aaaa("b.nl.", 60)};
  CHECK_FALSE(cached(plain, "a.nl.", A, only_aaaa));
  Reply lone;
  lone.answer = {cname("a.nl.", 60, "b.nl.")};
  CHECK_FALSE(cached(plain, "a.nl.", MX, lone));
  CHECK(cached(plain, "a.nl.", dns::type::ANY, lone));
  CHECK(cached(plain, "a.nl.", dns::type::CNAME, lone));
  Reply to_mx;
  to_mx.answer = {cname("a.nl.", 60, "b.nl."), mx("b.nl.", 60, 1, "m.nl.")};
  CHECK(cached(plain, "a.nl.", MX, to_mx));
  Reply signed_dangling;
  signed_dangling.answer = {cname("a.nl.", 60, "b.nl."),
                            rrsig("a.nl.", 60, dns::type::CNAME, y2017, y2018)};
  CHECK_FALSE(cached(plain, "a.nl.", A, signed_dangling, {.do_bit = true}));
  Reply off_chain;
  off_chain.answer = {cname("a.nl.", 60, "b.nl."), a("c.nl.", 60)};
  CHECK_FALSE(cached(plain, "a.nl.", A, off_chain));
  Reply chain;
  chain.answer = {a("b.nl.", 60), cname("a.nl.", 60, "b.nl.")};
  CHECK(cached(plain, "a.nl.", A, chain));
  Reply forked;
  forked.answer = {cname("a.nl.", 60, "b.nl."), cname("a.nl.", 60, "c.nl."), a("b.nl.", 60)};
  CHECK_FALSE(cached(plain, "a.nl.", A, forked));
  Reply loop;
  loop.answer = {cname("a.nl.", 60, "b.nl."), cname("b.nl.", 60, "a.nl."), a("a.nl.", 60)};
  CHECK_FALSE(cached(plain, "a.nl.", A, loop));
  Reply dup;
  dup.answer = {cname("a.nl.", 60, "b.nl."), cname("a.nl.", 60, "b.nl."), a("b.nl.", 60)};
  CHECK(cached(plain, "a.nl.", A, dup));

  // Mismatched replies; QR=0; a zero duration; SERVFAIL caching off.
  Reply other_name = answer_a("example.net.", 60);
  other_name.qname = "example.net.";
  CHECK_FALSE(cached(plain, "example.org.", A, other_name));
  Reply other_type = answer_a("example.org.", 60);
  other_type.qtype = A;
  CHECK_FALSE(cached(plain, "example.org.", MX, other_type));
  Reply no_qr = answer_a("example.org.", 60);
  no_qr.flags &= static_cast<uint16_t>(~dns::Header::QR);
  CHECK_FALSE(cached(plain, "example.org.", A, no_qr));
  CacheConfig min0;
  min0.success_min_ttl = 0;
  CHECK_FALSE(cached(min0, "example.org.", A, answer_a("example.org.", 0)));
  CacheConfig no_servfail;
  no_servfail.servfail = 0s;
  CHECK_FALSE(cached(no_servfail, "example.org.", A, rcode_only(dns::rcode::SERVFAIL)));
}

TEST_CASE("storing: a CNAME to nothing with an SOA is NODATA, in the negative cache") {
  CacheConfig c;
  c.disable_denial = {"."};
  Reply r;
  r.answer = {cname("a.nl.", 60, "b.nl.")};
  r.authority = {soa("nl.", 30)};
  CHECK(cached({}, "a.nl.", A, r));
  CHECK_FALSE(cached(c, "a.nl.", A, r));  // with denial disabled: so it was negative
}

TEST_CASE("storing: a question mismatch is counted as a drop") {
  const metrics::Labels labels{"dns://:53", ".", ""};
  const uint64_t before = metric("coredns_cache_drops_total", labels);
  Reply other = answer_a("example.net.", 60);
  other.qname = "example.net.";
  CHECK_FALSE(cached({}, "example.org.", A, other));
  CHECK(metric("coredns_cache_drops_total", labels) == before + 2);
}

TEST_CASE("disable: per cache type and per zone") {
  CacheConfig no_denial;
  no_denial.disable_denial = {"example.org."};
  CacheConfig no_success;
  no_success.disable_success = {"example.org."};
  CHECK_FALSE(cached(no_denial, "nx.example.org.", A, nxdomain("example.org.", 60)));
  CHECK(cached(no_denial, "nx.example.net.", A, nxdomain("example.net.", 60)));
  CHECK_FALSE(cached(no_success, "www.example.org.", A, answer_a("www.example.org.", 60)));
  CHECK(cached(no_success, "nx.example.org.", A, nxdomain("example.org.", 60)));
  CHECK(cached(no_denial, "www.example.org.", A, answer_a("www.example.org.", 60)));
}

TEST_CASE("TTLs: clamped, flattened, counted down") {
  CacheConfig ten;
  ten.success_ttl = ten.denial_ttl = 10;
  Rig rig(ten);
  rig.upstream.script = [](const Request& req) {
    Reply r;
    if (req.name() == "short.example.org.")
      r.answer = {a("short.example.org.", 1)};
    else
      r.answer = {a("example.org.", 3600, "127.0.0.1"), a("example.org.", 3600, "127.0.0.2")};
    return r;
  };
  auto g = rig.ask("example.org.");
  CHECK(g.answer().size() == 2);
  CHECK(g.ttl() == 10);
  CHECK(rig.ask("short.example.org.").ttl() == 5);  // the minimum TTL

  // A 3600 CNAME with a 60 A: both show 60; upstream TTL 0 becomes 5 on the first reply.
  Rig flat;
  flat.upstream.script = [](const Request& req) {
    Reply r;
    if (req.name() == "zero.nl.")
      r.answer = {a("zero.nl.", 0)};
    else
      r.answer = {cname("a.nl.", 3600, "b.nl."), a("b.nl.", 60)};
    return r;
  };
  g = flat.ask("a.nl.");
  for (const auto& rr : g.answer()) CHECK(rr.ttl == 60);
  CHECK(flat.ask("zero.nl.").ttl() == 5);
  TestClock::advance(20s);
  g = flat.ask("a.nl.");
  CHECK(flat.upstream.calls() == 2);
  for (const auto& rr : g.answer()) CHECK(rr.ttl == 40);

  CacheConfig two_hours;
  two_hours.success_ttl = 7200;
  two_hours.success_min_ttl = 0;
  Rig big(two_hours);
  big.upstream.script = [](const Request&) { return answer_a("example.org.", 86400); };
  CHECK(big.ask("example.org.").ttl() == 7200);
}

TEST_CASE("TTLs: negative answers take the SOA record's TTL (not its MINIMUM), capped at 1800") {
  Rig rig;
  rig.upstream.script = [](const Request& req) {
    if (req.name() == "a.example.org.") return nxdomain("example.org.", 1800, 3600);
    if (req.name() == "b.example.org.") return nxdomain("example.org.", 3600, 60);
    Reply nodata;
    nodata.authority = {soa("example.org.", 300, 60)};
    return nodata;
  };
  CHECK(rig.ask("a.example.org.").ttl() == 1800);
  CHECK(rig.ask("b.example.org.").ttl() == 1800);
  auto nodata = rig.ask("c.example.org.", AAAA);
  CHECK(nodata.ttl() == 300);
  TestClock::advance(100s);
  auto hit = rig.ask("c.example.org.", AAAA);
  CHECK(rig.upstream.calls() == 3);
  CHECK(hit.ttl() == 200);
  CHECK(hit.rcode == dns::rcode::NOERROR);
  CHECK(hit.records(dns::Section::authority).size() == 1);
  auto nx = rig.ask("a.example.org.");
  CHECK(nx.ttl() == 1700);
  CHECK(nx.header().rcode() == dns::rcode::NXDOMAIN);
}

TEST_CASE("keepttl: hits show the original TTL, and the item still expires") {
  CacheConfig c;
  c.keepttl = true;
  Rig rig(c);
  rig.upstream.script = [](const Request&) { return answer_a("example.org.", 30); };
  rig.ask("example.org.");
  TestClock::advance(20s);
  CHECK(rig.ask("example.org.").ttl() == 30);
  TestClock::advance(10s);
  rig.ask("example.org.");
  CHECK(rig.upstream.calls() == 2);
}

TEST_CASE("fresh_for: a fresh hit promises its seconds left; misses, stale hits, keepttl nothing") {
  Rig rig;
  rig.upstream.fresh_for = 99;  // a promise from below is not the cache's to pass on
  rig.upstream.script = [](const Request&) { return answer_a("example.org.", 30); };
  CHECK(rig.ask("example.org.").fresh_for == 0);
  TestClock::advance(10s);
  auto hit = rig.ask("example.org.");
  CHECK(hit.ttl() == 20);
  CHECK(hit.fresh_for == 20);
  CHECK(rig.upstream.calls() == 1);

  CacheConfig keep;
  keep.keepttl = true;
  Rig kept(keep);
  kept.upstream.script = [](const Request&) { return answer_a("example.org.", 30); };
  kept.ask("example.org.");
  TestClock::advance(10s);
  CHECK(kept.ask("example.org.").fresh_for == 0);

  Rig old(stale(1h));
  old.upstream.script = [](const Request&) { return answer_a("example.org.", 60); };
  old.ask("example.org.");
  TestClock::advance(61s);
  auto g = old.ask("example.org.");
  CHECK(g.ttl() == 0);
  CHECK(g.fresh_for == 0);
}

TEST_CASE("fresh_for: with prefetch, only until the item enters its prefetch window") {
  CacheConfig c;
  c.prefetch = 1;
  Rig rig(c);
  rig.upstream.script = [](const Request&) { return answer_a("example.org.", 80); };
  rig.ask("example.org.");
  TestClock::advance(10s);
  CHECK(rig.ask("example.org.").fresh_for == 62);  // 70 s left, the window is the last 8
  TestClock::advance(62s);
  CHECK(rig.ask("example.org.").fresh_for == 0);
  Rig::settle();  // the prefetch that hit started
}

TEST_CASE("servfail: SERVFAIL messages live exactly the servfail duration; timeouts not at all") {
  CacheConfig c;
  c.servfail = 2s;
  Rig rig(c);
  rig.upstream.script = [](const Request&) { return rcode_only(dns::rcode::SERVFAIL); };
  rig.ask("example.org.");
  TestClock::advance(1900ms);
  auto hit = rig.ask("example.org.");
  CHECK(rig.upstream.calls() == 1);
  CHECK(hit.header().rcode() == dns::rcode::SERVFAIL);
  TestClock::advance(100ms);
  rig.ask("example.org.");
  CHECK(rig.upstream.calls() == 2);

  // An unwritten SERVFAIL (forward's timeout) is the server's reply, never cached.
  Rig timeouts;
  auto g = timeouts.ask("example.org.");
  CHECK_FALSE(g.written);
  CHECK(g.rcode == dns::rcode::SERVFAIL);
  timeouts.ask("example.org.");
  CHECK(timeouts.upstream.calls() == 2);
}

TEST_CASE("prefetch: TTL 80, prefetch 1") {
  CacheConfig c;
  c.prefetch = 1;
  Rig rig(c);
  int n = 0;
  rig.upstream.script = [&n](const Request&) {
    return answer_a("example.org.", 80, ++n == 1 ? "127.0.0.1" : "127.0.0.2");
  };
  auto g = rig.ask("example.org.");
  CHECK(g.ttl() == 80);
  TestClock::advance(73s);
  g = rig.ask("example.org.");
  CHECK(g.ttl() == 7);
  CHECK(g.first_ip() == "127.0.0.1");
  Rig::settle();
  CHECK(rig.upstream.calls() == 2);  // in the background: 7 <= ceil(8)
  CHECK(rig.upstream.seen[1].ad);
  CHECK_FALSE(rig.upstream.seen[1].tcp);  // the client's transport, not TCP as in CoreDNS
  TestClock::advance(7s);
  g = rig.ask("example.org.");
  CHECK(g.ttl() == 73);
  CHECK(g.first_ip() == "127.0.0.2");
  CHECK(rig.upstream.calls() == 2);
}

TEST_CASE("prefetch: TTL 5, prefetch 1; and TTL 30 without prefetch") {
  CacheConfig c;
  c.prefetch = 1;
  Rig rig(c);
  int n = 0;
  rig.upstream.script = [&n](const Request&) {
    return answer_a("example.org.", 5, ++n == 1 ? "127.0.0.1" : "127.0.0.2");
  };
  CHECK(rig.ask("example.org.").ttl() == 5);
  TestClock::advance(1s);
  CHECK(rig.ask("example.org.").ttl() == 4);
  CHECK(rig.upstream.calls() == 1);
  TestClock::advance(3s);
  CHECK(rig.ask("example.org.").ttl() == 1);
  CHECK(rig.upstream.calls() == 2);
  TestClock::advance(1s);
  auto g = rig.ask("example.org.");
  CHECK(g.ttl() == 4);
  CHECK(g.first_ip() == "127.0.0.2");
  CHECK(rig.upstream.calls() == 2);

  Rig plain;
  int m = 0;
  plain.upstream.script = [&m](const Request&) {
    return answer_a("example.org.", 30, ++m == 1 ? "127.0.0.1" : "127.0.0.2");
  };
  CHECK(plain.ask("example.org.").ttl() == 30);
  TestClock::advance(15s);
  CHECK(plain.ask("example.org.").ttl() == 15);
  TestClock::advance(14s);
  CHECK(plain.ask("example.org.").ttl() == 1);
  CHECK(plain.upstream.calls() == 1);
  TestClock::advance(1s);
  g = plain.ask("example.org.");
  CHECK(g.ttl() == 30);
  CHECK(g.first_ip() == "127.0.0.2");
  CHECK(plain.upstream.calls() == 2);
}

TEST_CASE("prefetch: needs AMOUNT hits within DURATION") {
  CacheConfig c;
  c.prefetch = 3;
  c.prefetch_duration = 10s;
  Rig rig(c);
  rig.upstream.script = [](const Request&) { return answer_a("example.org.", 100); };
  rig.ask("example.org.");
  TestClock::advance(80s);
  rig.ask("example.org.");  // 1 hit
  TestClock::advance(11s);  // more than DURATION later: the count restarts
  rig.ask("example.org.");  // 1
  rig.ask("example.org.");  // 2
  CHECK(rig.upstream.calls() == 1);
  rig.ask("example.org.");  // 3, and 9 s left <= ceil(10)
  CHECK(rig.upstream.calls() == 2);
}

TEST_CASE("prefetch: DO and CD entries are refreshed separately") {
  CacheConfig c;
  c.prefetch = 1;
  Rig rig(c);
  int n = 0;
  rig.upstream.script = [&n](const Request&) {
    return answer_a("example.org.", 80, ++n <= 2 ? "127.0.0.1" : "127.0.0.2");
  };
  rig.ask("example.org.", A, {.do_bit = true});
  rig.ask("example.org.", A, {.cd = true});
  TestClock::advance(73s);
  rig.ask("example.org.", A, {.do_bit = true});
  CHECK(rig.upstream.calls() == 3);
  CHECK(rig.upstream.seen[2].do_bit);
  TestClock::advance(7s);
  CHECK(rig.ask("example.org.", A, {.do_bit = true}).first_ip() == "127.0.0.2");
  CHECK(rig.upstream.calls() == 3);
  // The CD entry (stored at t=0) has expired; a query without either bit is a separate miss.
  rig.ask("example.org.", A, {.cd = true});
  CHECK(rig.upstream.calls() == 4);
  rig.ask("example.org.");
  CHECK(rig.upstream.calls() == 5);
}

TEST_CASE("prefetch: 200 concurrent hits on a due item make one upstream query") {
  CacheConfig c;
  c.prefetch = 1;
  Rig rig(c);
  rig.upstream.script = [](const Request&) { return answer_a("example.org.", 80); };
  rig.ask("example.org.");
  rig.upstream.delay = 20ms;
  TestClock::advance(75s);
  std::vector<std::shared_ptr<Rig::Pending>> all;
  for (int i = 0; i < 200; ++i) all.push_back(rig.start("example.org."));
  for (auto& p : all) {
    REQUIRE(p->result);
    CHECK(p->result->written());
  }
  Rig::settle();
  CHECK(rig.upstream.calls() == 2);
}

TEST_CASE("serve_stale: the window (TTL 60, 1h, upstream down)") {
  Rig rig(stale(1h));
  bool up = true;
  rig.upstream.script = [&up](const Request&) -> std::optional<Reply> {
    if (!up) return std::nullopt;
    return answer_a("example.org.", 60);
  };
  rig.ask("example.org.");
  up = false;
  TestClock::advance(30min);
  auto g = rig.ask("example.org.");
  CHECK(g.rcode == dns::rcode::NOERROR);
  CHECK(g.ttl() == 0);
  TestClock::advance(30min);  // 3540 s past expiry < 3600
  CHECK(rig.ask("example.org.").written);
  const size_t calls = rig.upstream.calls();
  TestClock::advance(10min);
  auto late = rig.ask("example.org.");
  CHECK_FALSE(late.written);
  CHECK(rig.upstream.calls() == calls + 1);
  CHECK_FALSE(rig.ask("uncached.example.org.").written);
}

TEST_CASE("serve_stale: RESPONSE_TTL, keepttl and exactly-expired items") {
  auto run = [](CacheConfig c, Duration at, Reply first, uint16_t qtype = A) {
    Rig rig(std::move(c));
    int n = 0;
    rig.upstream.script = [&n, first](const Request&) {
      return ++n == 1 ? first : rcode_only(dns::rcode::SERVFAIL);
    };
    rig.ask("example.org.", qtype);
    TestClock::advance(at);
    auto g = rig.ask("example.org.", qtype);
    Rig::settle();
    return g;
  };
  CHECK(run(stale(1h), 2min, answer_a("example.org.", 60)).ttl() == 0);
  CHECK(run(stale(1h, false, 30), 2min, answer_a("example.org.", 60)).ttl() == 30);
  CHECK(run(stale(1h, false, 30), 1min, answer_a("example.org.", 60)).ttl() == 30);
  auto neg = run(stale(1h, false, 25), 2min, nxdomain("example.org.", 60));
  CHECK(neg.header().rcode() == dns::rcode::NXDOMAIN);
  CHECK(neg.ttl() == 25);
  CHECK(run(stale(1h, true, 45), 2min, answer_a("example.org.", 60)).ttl() == 45);
  auto keep = stale(1h, false, 17);
  keep.keepttl = true;
  CHECK(run(keep, 2min, answer_a("example.org.", 60)).ttl() == 17);
  CHECK(run(stale(1h, false, 30), 10s, answer_a("example.org.", 60)).ttl() == 50);
}

TEST_CASE("serve_stale verify: refresh first, stale only when the refresh fails") {
  Rig rig(stale(1h, true));
  Reply next = answer_a("example.org.", 120);
  rig.upstream.script = [&next](const Request&) { return next; };
  rig.ask("example.org.");
  next = answer_a("example.org.", 200);
  TestClock::advance(1min);
  CHECK(rig.ask("example.org.").ttl() == 60);  // still fresh: no refresh
  CHECK(rig.upstream.calls() == 1);
  TestClock::advance(2min);
  CHECK(rig.ask("example.org.").ttl() == 200);
  CHECK(rig.upstream.calls() == 2);
  CHECK(rig.upstream.seen[1].ad);
  next = rcode_only(dns::rcode::SERVFAIL);
  TestClock::advance(4min);
  auto g = rig.ask("example.org.");
  CHECK(g.ttl() == 0);
  CHECK(g.header().rcode() == dns::rcode::NOERROR);
  next = nxdomain("example.org.", 150);
  TestClock::advance(1min);
  g = rig.ask("example.org.");
  CHECK(g.header().rcode() == dns::rcode::NXDOMAIN);
  CHECK(g.ttl() == 150);
}

TEST_CASE("serve_stale verify: a slow upstream loses to VERIFY_TIMEOUT, then fills the cache") {
  auto c = stale(1h, true, 30);
  c.verify_timeout = 50ms;
  Rig rig(c);
  Reply next = answer_a("example.org.", 60);
  rig.upstream.script = [&next](const Request&) { return next; };
  rig.ask("example.org.");
  next = answer_a("example.org.", 200, "127.0.0.2");
  rig.upstream.delay = 200ms;
  TestClock::advance(2min);
  const auto t0 = std::chrono::steady_clock::now();
  auto g = rig.ask("example.org.");
  const auto waited = std::chrono::steady_clock::now() - t0;
  CHECK(g.ttl() == 30);
  CHECK(g.first_ip() == "127.0.0.1");
  CHECK(waited < 150ms);
  Rig::settle();  // the refresh finishes in the background and is stored
  g = rig.ask("example.org.");
  CHECK(g.ttl() == 200);
  CHECK(g.first_ip() == "127.0.0.2");
  CHECK(rig.upstream.calls() == 2);

  // A fast upstream wins the race.
  auto fast_cfg = stale(1h, true);
  fast_cfg.verify_timeout = 500ms;
  Rig fast(fast_cfg);
  Reply fnext = answer_a("example.org.", 60);
  fast.upstream.script = [&fnext](const Request&) { return fnext; };
  fast.ask("example.org.");
  fnext = answer_a("example.org.", 200);
  fast.upstream.delay = 5ms;
  TestClock::advance(2min);
  CHECK(fast.ask("example.org.").ttl() == 200);
  Rig::settle();
}

TEST_CASE("serve_stale immediate: a stale NXDOMAIN is served once, the refresh replaces it") {
  Rig rig(stale(10min));
  Reply next = nxdomain("example.org.", 60);
  rig.upstream.script = [&next](const Request&) { return next; };
  rig.ask("www.example.org.");
  TestClock::advance(30s);
  CHECK(rig.ask("www.example.org.").header().rcode() == dns::rcode::NXDOMAIN);
  next = answer_a("www.example.org.", 60);
  TestClock::advance(270s);
  auto g = rig.ask("www.example.org.");
  CHECK(g.header().rcode() == dns::rcode::NXDOMAIN);
  CHECK(g.ttl() == 0);
  Rig::settle();
  g = rig.ask("www.example.org.");
  CHECK(g.header().rcode() == dns::rcode::NOERROR);
  CHECK(g.answer().size() == 1);
  CHECK(rig.upstream.calls() == 2);
}

TEST_CASE("serve_stale verify: a fresh positive answer ends a stale negative one (not as CoreDNS)") {
  Rig rig(stale(10min, true));
  Reply next = nxdomain("example.org.", 60);
  rig.upstream.script = [&next](const Request&) { return next; };
  rig.ask("www.example.org.");
  next = answer_a("www.example.org.", 60);
  TestClock::advance(2min);
  CHECK(rig.ask("www.example.org.").header().rcode() == dns::rcode::NOERROR);
  CHECK(rig.upstream.calls() == 2);
  TestClock::advance(1s);
  auto g = rig.ask("www.example.org.");
  CHECK(g.header().rcode() == dns::rcode::NOERROR);
  CHECK(g.ttl() == 59);
  CHECK(rig.upstream.calls() == 2);  // CoreDNS would refresh again here
}

TEST_CASE("serve_stale: FAILURE_RECHECK holds back upstream attempts after a failure") {
  for (bool verify : {false, true}) {
    INFO("verify " << verify);
    auto c = stale(1h, verify);
    c.failure_recheck = 30s;
    c.success_min_ttl = 0;
    Rig rig(c);
    bool up = true;
    rig.upstream.script = [&up](const Request&) -> std::optional<Reply> {
      if (!up) return std::nullopt;
      return answer_a("example.org.", 1);
    };
    rig.ask("example.org.");
    up = false;
    TestClock::advance(3s);
    CHECK(rig.ask("example.org.").written);  // stale; the refresh fails
    Rig::settle();
    CHECK(rig.upstream.calls() == 2);
    TestClock::advance(7s);
    CHECK(rig.ask("example.org.").written);
    TestClock::advance(22s);
    CHECK(rig.ask("example.org.").written);
    Rig::settle();
    CHECK(rig.upstream.calls() == 2);  // until +33 s: no new attempt
    TestClock::advance(1s);
    auto g = rig.ask("example.org.");
    Rig::settle();
    CHECK(g.written);
    CHECK(g.ttl() == 0);  // a failed refresh never replaces the stale entry
    CHECK(rig.upstream.calls() == 3);
  }
}

TEST_CASE("disable applies to refreshes too (CoreDNS stores them anyway)") {
  auto c = stale(1h);
  c.disable_denial = {"example.org."};
  Rig rig(c);
  Reply next = answer_a("www.example.org.", 60);
  rig.upstream.script = [&next](const Request&) { return next; };
  rig.ask("www.example.org.");
  next = nxdomain("example.org.", 60);
  TestClock::advance(2min);
  rig.ask("www.example.org.");  // stale; the refresh brings an NXDOMAIN that may not be stored
  Rig::settle();
  CHECK(rig.ask("www.example.org.").header().rcode() == dns::rcode::NOERROR);
}

TEST_CASE("precedence: a cached SERVFAIL does not hide a usable positive item") {
  CacheConfig c;
  c.prefetch = 1;
  Rig rig(c);
  Reply next = answer_a("example.org.", 10);
  rig.upstream.script = [&next](const Request&) { return next; };
  rig.ask("example.org.");
  next = rcode_only(dns::rcode::SERVFAIL);
  TestClock::advance(9s);
  rig.ask("example.org.");  // 1 s left: prefetch, which brings a SERVFAIL (stored negative)
  Rig::settle();
  CHECK(rig.upstream.calls() == 2);
  TestClock::advance(500ms);
  auto g = rig.ask("example.org.");
  CHECK(g.header().rcode() == dns::rcode::NOERROR);
  CHECK(g.answer().size() == 1);
}

TEST_CASE("precedence: NXDOMAIN over a stale positive; prefer_positive only for real answers") {
  for (bool prefer : {false, true}) {
    INFO("prefer_positive " << prefer);
    auto c = stale(1h);
    c.prefer_positive = prefer;
    Rig rig(c);
    Reply next = answer_a("www.example.org.", 10);
    rig.upstream.script = [&next](const Request&) { return next; };
    rig.ask("www.example.org.");
    next = nxdomain("example.org.", 300);
    TestClock::advance(20s);
    rig.ask("www.example.org.");  // stale positive; the refresh stores the NXDOMAIN
    Rig::settle();
    auto g = rig.ask("www.example.org.");
    CHECK(g.header().rcode() == (prefer ? dns::rcode::NOERROR : dns::rcode::NXDOMAIN));
  }
  // An empty NOERROR does not answer, so prefer_positive does not prefer it.
  auto c = stale(1h);
  c.prefer_positive = true;
  Rig rig(c);
  Reply next;  // empty NOERROR, no SOA: positive for 5 s
  rig.upstream.script = [&next](const Request&) { return next; };
  rig.ask("www.example.org.");
  next = nxdomain("example.org.", 300);
  TestClock::advance(6s);
  rig.ask("www.example.org.");
  Rig::settle();
  CHECK(rig.ask("www.example.org.").header().rcode() == dns::rcode::NXDOMAIN);
}

TEST_CASE("prefer_positive keeps the last good answer over a later non-answer") {
  auto c = stale(1h);
  c.prefer_positive = true;
  Rig rig(c);
  Reply next = answer_a("www.example.org.", 10);
  rig.upstream.script = [&next](const Request&) { return next; };
  rig.ask("www.example.org.");
  next = Reply{};  // NOERROR, nothing in it
  TestClock::advance(20s);
  rig.ask("www.example.org.");  // stale; the refresh stores the empty reply
  Rig::settle();
  auto g = rig.ask("www.example.org.");
  CHECK(g.answer().size() == 1);
  CHECK(g.ttl() == 0);  // the last good answer, stale

  auto plain = stale(1h);
  Rig without(plain);
  Reply n2 = answer_a("www.example.org.", 10);
  without.upstream.script = [&n2](const Request&) { return n2; };
  without.ask("www.example.org.");
  n2 = Reply{};
  TestClock::advance(20s);
  without.ask("www.example.org.");
  Rig::settle();
  CHECK(without.ask("www.example.org.").answer().empty());
}

TEST_CASE("keys: DO, CD, type and class separate entries; AA in the query does not") {
  Rig rig;
  rig.upstream.script = [](const Request& req) {
    return req.qtype() == AAAA ? Reply{.answer = {aaaa("example.org.", 60)}}
                               : answer_a("example.org.", 60);
  };
  rig.ask("example.org.");
  rig.ask("example.org.", AAAA);
  rig.ask("example.org.", A, {.do_bit = true});
  rig.ask("example.org.", A, {.cd = true});
  rig.ask("example.org.", A, {.do_bit = true, .cd = true});
  rig.ask("example.org.", A, {.qclass = dns::cls::CH});
  CHECK(rig.upstream.calls() == 6);
  rig.ask("example.org.", A, {.aa = true});
  rig.ask("EXAMPLE.org.", A, {.ad = true});
  rig.ask("example.org.", A, {.edns = false});
  CHECK(rig.upstream.calls() == 6);
}

TEST_CASE("AD: sent upstream as 1; kept for clients that set AD or DO") {
  auto script = [](const Request& req) {
    Reply r = answer_a("example.org.", 60);
    if (req.msg().header().has(dns::Header::AD)) r.flags |= dns::Header::AD;
    return r;
  };
  Rig rig;
  rig.upstream.script = script;
  auto first = rig.ask("example.org.");
  CHECK(rig.upstream.seen[0].ad);
  CHECK_FALSE(first.header().has(dns::Header::AD));
  auto second = rig.ask("example.org.", A, {.ad = true});
  CHECK(second.header().has(dns::Header::AD));
  CHECK(rig.upstream.calls() == 1);

  Rig reverse;
  reverse.upstream.script = script;
  CHECK(reverse.ask("example.org.", A, {.ad = true}).header().has(dns::Header::AD));
  CHECK_FALSE(reverse.ask("example.org.").header().has(dns::Header::AD));
  CHECK(reverse.upstream.calls() == 1);
}

TEST_CASE("DNSSEC: DO queries get the signatures, others do not, in either order") {
  for (bool do_first : {true, false}) {
    Rig rig;
    rig.upstream.script = [](const Request& req) {
      Reply r;
      r.answer = {cname("www.example.org.", 60, "a.example.org."), a("a.example.org.", 60)};
      if (req.do_bit()) {
        r.flags |= dns::Header::AD;
        r.answer.insert(r.answer.begin() + 1,
                        rrsig("www.example.org.", 60, dns::type::CNAME, 1483228800, 1514764800));
        r.answer.push_back(rrsig("a.example.org.", 60, A, 1483228800, 1514764800));
      }
      return r;
    };
    for (int round = 0; round < 2; ++round) {
      for (bool with_do : {do_first, !do_first}) {
        auto g = rig.ask("www.example.org.", A, {.do_bit = with_do});
        CHECK(g.answer().size() == (with_do ? 4u : 2u));
        CHECK(g.header().has(dns::Header::AD) == with_do);
      }
    }
    CHECK(rig.upstream.calls() == 2);
  }
}

TEST_CASE("zones: names outside the cache's zones bypass it") {
  CacheConfig c;
  c.zones = {"example.org."};
  Rig rig(c);
  rig.upstream.script = [](const Request& req) { return answer_a(req.name(), 60); };
  rig.ask("www.example.org.");
  rig.ask("www.example.org.");
  CHECK(rig.upstream.calls() == 1);
  rig.ask("www.example.net.");
  rig.ask("www.example.net.");
  CHECK(rig.upstream.calls() == 3);
}

TEST_CASE("capacity: the caches stay within their effective size and count evictions") {
  CacheConfig c;
  c.success_capacity = 10;  // 4 per shard, 1024 in all
  Rig rig(c);
  rig.upstream.script = [](const Request& req) { return answer_a(req.name(), 60); };
  const metrics::Labels labels{"dns://:53", "success", ".", ""};
  const uint64_t before = metric("coredns_cache_evictions_total", labels);
  for (int i = 0; i < 10000; ++i) rig.ask("host" + std::to_string(i) + ".example.org.");
  CHECK(rig.cache->store().count(plugins::cache::Kind::success).load() == 1024);
  CHECK(metric("coredns_cache_evictions_total", labels) - before == 10000 - 1024);
  auto& entries = metrics::Registry::global().gauge("coredns_cache_entries", "", {});
  CHECK(entries.with(labels).value() == 1024);
  // Recently hit names survive: CLOCK passes over them.
  rig.ask("host9999.example.org.");
  for (int i = 10000; i < 10100; ++i) rig.ask("host" + std::to_string(i) + ".example.org.");
  const size_t calls = rig.upstream.calls();
  rig.ask("host9999.example.org.");
  CHECK(rig.upstream.calls() == calls);
}

TEST_CASE("metrics: requests, hits by type, misses, served stale") {
  const metrics::Labels plain{"dns://:53", ".", ""};
  const uint64_t req0 = metric("coredns_cache_requests_total", plain);
  const uint64_t miss0 = metric("coredns_cache_misses_total", plain);
  const uint64_t stale0 = metric("coredns_cache_served_stale_total", plain);
  const uint64_t hit0 = metric("coredns_cache_hits_total", {"dns://:53", "denial", ".", ""});
  Rig rig(stale(1h));
  rig.upstream.script = [](const Request&) { return nxdomain("example.org.", 60); };
  rig.ask("nx.example.org.");
  rig.ask("nx.example.org.");
  TestClock::advance(2min);
  rig.ask("nx.example.org.");
  Rig::settle();
  CHECK(metric("coredns_cache_requests_total", plain) - req0 == 3);
  CHECK(metric("coredns_cache_misses_total", plain) - miss0 == 1);
  CHECK(metric("coredns_cache_hits_total", {"dns://:53", "denial", ".", ""}) - hit0 == 2);
  CHECK(metric("coredns_cache_served_stale_total", plain) - stale0 == 1);
}

TEST_CASE("rrset_ttls: each record keeps its own TTL, counted down; the entry lives the smallest") {
  CacheConfig c;
  c.rrset_ttls = true;
  Rig rig(c);
  rig.upstream.script = [](const Request&) {
    Reply r;
    r.answer = {cname("a.nl.", 3600, "b.nl."), a("b.nl.", 60)};
    r.additional = {a("x.nl.", 1)};  // below MINTTL: 5
    return r;
  };
  auto g = rig.ask("a.nl.");
  auto ans = g.answer();
  REQUIRE(ans.size() == 2);
  CHECK(ans[0].ttl == 3600);
  CHECK(ans[1].ttl == 60);
  CHECK(g.records(dns::Section::additional)[0].ttl == 5);
  TestClock::advance(3s);
  g = rig.ask("a.nl.");
  ans = g.answer();
  CHECK(ans[0].ttl == 3597);
  CHECK(ans[1].ttl == 57);
  CHECK(g.records(dns::Section::additional)[0].ttl == 2);
  CHECK(rig.upstream.calls() == 1);
  TestClock::advance(2s);  // the smallest (5) has run out
  rig.ask("a.nl.");
  CHECK(rig.upstream.calls() == 2);
}

TEST_CASE("rfc2308: the negative TTL is min(SOA TTL, SOA MINIMUM)") {
  CacheConfig c;
  c.rfc2308 = true;
  Rig rig(c);
  rig.upstream.script = [](const Request&) { return nxdomain("example.org.", 1200, 300); };
  CHECK(rig.ask("nx.example.org.").ttl() == 300);
  Rig plain;
  plain.upstream.script = [](const Request&) { return nxdomain("example.org.", 1200, 300); };
  CHECK(plain.ask("nx.example.org.").ttl() == 1200);
}

TEST_CASE("cache_failures: a SERVFAIL for an unreachable upstream is cached for `servfail`") {
  CacheConfig c;
  c.cache_failures = true;
  c.servfail = 2s;
  Rig rig(c);
  auto first = rig.ask("example.org.");
  CHECK_FALSE(first.written);  // the client got the server's own SERVFAIL
  auto again = rig.ask("example.org.", A, {.id = 77});
  CHECK(rig.upstream.calls() == 1);
  REQUIRE(again.written);
  CHECK(again.header().rcode() == dns::rcode::SERVFAIL);
  CHECK(again.header().id == 77);
  CHECK(again.answer().empty());
  TestClock::advance(2s);
  rig.ask("example.org.");
  CHECK(rig.upstream.calls() == 2);
  // Off by default (checked in "servfail: ...").
}
