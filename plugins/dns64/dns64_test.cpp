// The handler end to end inside one process: a test server (testing::ChainServer) whose chain is
// dns64 and a scripted upstream, so that dns64's own lookups re-enter the chain as they do in
// production.
#include "plugins/dns64/dns64.h"

#include <catch2/catch.hpp>

#include "core/metrics/metrics.h"
#include "plugins/dns64/test_util.h"
#include "tests/support/plugin_setup.h"

namespace coredns::plugins {
const PluginDef& plugin_dns64();
}

using namespace coredns;
using namespace dns64test;
using Answer = Script::Answer;

namespace {

constexpr uint16_t NOERROR = dns::rcode::NOERROR, SERVFAIL = dns::rcode::SERVFAIL,
                   NXDOMAIN = dns::rcode::NXDOMAIN, REFUSED = dns::rcode::REFUSED,
                   NOTIMP = dns::rcode::NOTIMP;
constexpr uint16_t AAAA = dns::type::AAAA, A = dns::type::A, PTR = dns::type::PTR;

struct Fixture {
  explicit Fixture(const std::string& body = "dns64") : rig(handler(body)) {}
  static std::shared_ptr<Handler> handler(const std::string& body) {
    auto r = testing::run_setup(plugins::plugin_dns64(), "dns64", body);
    INFO(r.error);
    REQUIRE(r.handlers.size() == 1);
    return r.handlers[0];
  }
  void on(const std::string& key, Answer a) { rig.script().answers[key] = std::move(a); }
  const std::vector<std::string>& asked() { return rig.script().asked; }
  Response ask(const std::string& qname, uint16_t qtype = AAAA, const std::string& client = "::1",
               QueryOptions o = {}) {
    rig.script().asked.clear();
    return rig.ask(make_query(qname, qtype, o), client);
  }
  Rig rig;
};

Answer nodata(uint32_t soa_ttl = 70) {
  return {NOERROR, {ns("example.com. " + std::to_string(soa_ttl) + " SOA ns.example.com.")}};
}
Answer two_a() {
  return {NOERROR, {an("example.com. 60 A 192.0.2.42"), an("example.com. 5000 A 192.0.2.43")}};
}

uint64_t translated() {
  return metrics::Registry::global()
      .counter("coredns_dns64_requests_translated_total", "", {"server"})
      .with({"dns://:53"})
      .value();
}

}  // namespace

TEST_CASE("interception (CoreDNS's plugin/dns64/dns64_test.go): AAAA over IPv6, or over IPv4 with allow_ipv4") {
  for (const auto& [body, client, qtype, intercept] :
       std::vector<std::tuple<std::string, std::string, uint16_t, bool>>{
           {"dns64 {\n allow_ipv4\n}", "::1", AAAA, true},
           {"dns64 {\n allow_ipv4\n}", "127.0.0.1", AAAA, true},
           {"dns64", "127.0.0.1", AAAA, false},
           {"dns64", "::1", A, false},
           {"dns64", "::ffff:192.0.2.1", AAAA, false},  // IPv4-mapped counts as IPv4
           {"dns64", "2001:db8::10", AAAA, true}}) {
    INFO(body << " " << client << " " << qtype);
    Fixture f(body);
    f.on("example.com. AAAA", nodata());
    f.on("example.com. A", {NOERROR, {an("example.com. 60 A 1.2.3.4")}});
    const Response r = f.ask("example.com.", qtype, client);
    CHECK((f.asked() == Lines{"example.com. AAAA", "example.com. A"}) == intercept);
    if (qtype == AAAA) CHECK(section(r.wire, dns::Section::answer).empty() == !intercept);
  }
}

TEST_CASE("CoreDNS's end-to-end vectors (CoreDNS's plugin/dns64/dns64_test.go), with allow_non_global for 192.0.2.0/24") {
  Fixture f("dns64 {\n allow_non_global\n}");
  SECTION("standard: TTLs min(A, SOA 70)") {
    f.on("example.com. AAAA", nodata(70));
    f.on("example.com. A", two_a());
    const Response r = f.ask("example.com.");
    CHECK(r.rcode == NOERROR);
    const dns::Header h = header(r.wire);
    CHECK(h.id == 42);
    CHECK(h.has(dns::Header::QR));
    CHECK(h.has(dns::Header::RD));
    CHECK(h.has(dns::Header::RA));  // deviation: RFC 6147 §5.4, a recursive answer
    CHECK(section(r.wire, dns::Section::answer) ==
          Lines{"example.com. 60 AAAA 64:ff9b::c000:22a", "example.com. 70 AAAA 64:ff9b::c000:22b"});
  }
  SECTION("A empty: the A reply's SOA") {
    f.on("example.com. AAAA", nodata(3600));
    f.on("example.com. A", {NOERROR, {ns("example.com. 1800 SOA ns-a.example.com.")}});
    const Response r = f.ask("example.com.");
    CHECK(r.rcode == NOERROR);
    CHECK(section(r.wire, dns::Section::answer).empty());
    CHECK(section(r.wire, dns::Section::authority) ==
          Lines{"example.com. 1800 SOA ns-a.example.com."});
  }
  SECTION("non-NXDOMAIN error on AAAA: no SOA, so TTLs min(A, 600)") {
    f.on("example.com. AAAA", {REFUSED, {}});
    f.on("example.com. A", two_a());
    CHECK(section(f.ask("example.com.").wire, dns::Section::answer) ==
          Lines{"example.com. 60 AAAA 64:ff9b::c000:22a", "example.com. 600 AAAA 64:ff9b::c000:22b"});
  }
  SECTION("nxdomain: unchanged, no A lookup") {
    f.on("example.com. AAAA", {NXDOMAIN, {ns("example.com. 70 SOA ns.example.com.")}});
    const Response r = f.ask("example.com.");
    CHECK(r.rcode == NXDOMAIN);
    CHECK(f.asked() == Lines{"example.com. AAAA"});
    CHECK_FALSE(header(r.wire).has(dns::Header::RA));  // the upstream's reply, untouched
  }
  SECTION("AAAA present: unchanged, no A lookup") {
    f.on("example.com. AAAA", {NOERROR, {an("example.com. 60 AAAA ::1"), an("example.com. 5000 AAAA ::2")}});
    CHECK(section(f.ask("example.com.").wire, dns::Section::answer) ==
          Lines{"example.com. 60 AAAA ::1", "example.com. 5000 AAAA ::2"});
    CHECK(f.asked() == Lines{"example.com. AAAA"});
  }
  SECTION("truncated A: TC kept, the records that arrived converted") {
    f.on("example.com. AAAA", nodata(70));
    Answer a = two_a();
    a.flags = dns::Header::TC;
    f.on("example.com. A", a);
    const Response r = f.ask("example.com.");
    CHECK(header(r.wire).has(dns::Header::TC));
    CHECK(section(r.wire, dns::Section::answer) ==
          Lines{"example.com. 60 AAAA 64:ff9b::c000:22a", "example.com. 70 AAAA 64:ff9b::c000:22b"});
  }
}

TEST_CASE("synthesis, the chain copied, sections from the A reply") {
  Fixture f;
  f.on("www.example.com. AAAA", {NOERROR, {an("www.example.com. 300 CNAME v4.example.com."),
                                           ns("example.com. 120 SOA ns.example.com.")}});
  f.on("www.example.com. A", {NOERROR,
                              {an("www.example.com. 300 CNAME v4.example.com."),
                               an("v4.example.com. 3600 A 93.184.216.34"),
                               ns("example.com. 3600 NS ns.example.com."),
                               ar("ns.example.com. 3600 A 93.184.216.1")}});
  const Response r = f.ask("www.example.com.");
  CHECK(r.rcode == NOERROR);
  CHECK(section(r.wire, dns::Section::answer) ==
        Lines{"www.example.com. 300 CNAME v4.example.com.",
              "v4.example.com. 120 AAAA 64:ff9b::5db8:d822"});
  CHECK(section(r.wire, dns::Section::authority) == Lines{"example.com. 3600 NS ns.example.com."});
  CHECK(section(r.wire, dns::Section::additional) == Lines{"ns.example.com. 3600 A 93.184.216.1"});

  for (uint16_t rc : {SERVFAIL, NOTIMP}) {
    f.on("example.com. AAAA", {rc, {}});
    f.on("example.com. A", {NOERROR, {an("example.com. 3600 A 1.2.3.4")}});
    CHECK(section(f.ask("example.com.").wire, dns::Section::answer) ==
          Lines{"example.com. 600 AAAA 64:ff9b::102:304"});
  }
}

TEST_CASE("item 3: the A lookup's failure reaches the client (CoreDNS's plugin/dns64/dns64_test.go)") {
  Fixture f;
  SECTION("row 6: AAAA SERVFAIL, A times out: SERVFAIL, RA set") {
    f.on("example.com. AAAA", {SERVFAIL, {}});
    f.on("example.com. A", {SERVFAIL, {}, 0, true});
    const Response r = f.ask("example.com.");
    CHECK(r.rcode == SERVFAIL);
    CHECK(header(r.wire).rcode() == SERVFAIL);
    CHECK(header(r.wire).has(dns::Header::RA));
    CHECK(dns::MessageView().parse(r.wire) == dns::MessageView::Error::none);
  }
  SECTION("row 7: AAAA SERVFAIL, A NXDOMAIN: NXDOMAIN with the SOA") {
    f.on("example.com. AAAA", {SERVFAIL, {}});
    f.on("example.com. A", {NXDOMAIN, {ns("example.com. 60 SOA ns.example.com.")}});
    const Response r = f.ask("example.com.");
    CHECK(r.rcode == NXDOMAIN);
    CHECK(section(r.wire, dns::Section::authority) == Lines{"example.com. 60 SOA ns.example.com."});
  }
  SECTION("row 9: NXDOMAIN behind a CNAME is NXDOMAIN, returned as it is") {
    f.on("example.com. AAAA", {NXDOMAIN, {an("example.com. 60 CNAME gone.example.com.")}});
    const Response r = f.ask("example.com.");
    CHECK(r.rcode == NXDOMAIN);
    CHECK(f.asked() == Lines{"example.com. AAAA"});
  }
  SECTION("AAAA NODATA, A SERVFAIL: SERVFAIL, not an empty NOERROR") {
    f.on("example.com. AAAA", nodata());
    f.on("example.com. A", {SERVFAIL, {}});
    CHECK(f.ask("example.com.").rcode == SERVFAIL);
  }
}

TEST_CASE("RFC 6147 §5.1.3: an AAAA timeout still leads to synthesis; a refusal does not") {
  Fixture f;
  f.on("example.com. AAAA", {SERVFAIL, {}, 0, true});
  f.on("example.com. A", {NOERROR, {an("example.com. 60 A 1.2.3.4")}});
  const Response r = f.ask("example.com.");
  CHECK(r.rcode == NOERROR);
  CHECK(section(r.wire, dns::Section::answer) == Lines{"example.com. 60 AAAA 64:ff9b::102:304"});
  CHECK(r.error == "plugin/script: timeout");  // still reported to the errors plugin

  f.on("example.com. AAAA", {REFUSED, {}, 0, true});
  const Response refused = f.ask("example.com.");
  CHECK(refused.rcode == REFUSED);
  CHECK(f.asked() == Lines{"example.com. AAAA"});
}

TEST_CASE("row 14: IPv4 clients get the upstream's AAAA reply unchanged") {
  Fixture f;
  f.on("example.com. AAAA", nodata());
  const Response r = f.ask("example.com.", AAAA, "127.0.0.1");
  CHECK(f.asked() == Lines{"example.com. AAAA"});
  CHECK(section(r.wire, dns::Section::answer).empty());
}

TEST_CASE("item 2 / row 16: AAAA in ::ffff:0:0/96 count as absent and are never returned") {
  Fixture f;
  f.on("example.com. AAAA", {NOERROR, {an("example.com. 60 AAAA ::ffff:1.2.3.4")}});
  f.on("example.com. A", {NOERROR, {an("example.com. 60 A 1.2.3.4")}});
  CHECK(section(f.ask("example.com.").wire, dns::Section::answer) ==
        Lines{"example.com. 60 AAAA 64:ff9b::102:304"});

  f.on("example.com. AAAA", {NOERROR, {an("example.com. 60 AAAA ::ffff:1.2.3.4"),
                                       an("example.com. 60 AAAA 2001:db8::1")}});
  CHECK(section(f.ask("example.com.").wire, dns::Section::answer) ==
        Lines{"example.com. 60 AAAA 2001:db8::1"});
  CHECK(f.asked() == Lines{"example.com. AAAA"});

  Fixture custom("dns64 {\n exclude 2001:db8::/32\n}");
  custom.on("example.com. AAAA", {NOERROR, {an("example.com. 60 AAAA 2001:db8::1")}});
  custom.on("example.com. A", {NOERROR, {an("example.com. 60 A 1.2.3.4")}});
  CHECK(section(custom.ask("example.com.").wire, dns::Section::answer) ==
        Lines{"example.com. 60 AAAA 64:ff9b::102:304"});
}

TEST_CASE("item 4: DNSSEC") {
  Fixture f;
  f.on("example.com. AAAA", nodata());
  f.on("example.com. A", {NOERROR,
                          {an("example.com. 60 A 1.2.3.4"), an("example.com. 60 RRSIG A")},
                          dns::Header::AD});
  SECTION("DO and CD: no synthesis, no A lookup") {
    const Response r = f.ask("example.com.", AAAA, "::1",
                             {.flags = dns::Header::RD | dns::Header::CD, .do_bit = true});
    CHECK(f.asked() == Lines{"example.com. AAAA"});
    CHECK(section(r.wire, dns::Section::answer).empty());
  }
  SECTION("DO alone (row 15): synthesized, without RRSIG(A), AD clear") {
    const Response r = f.ask("example.com.", AAAA, "::1", {.do_bit = true});
    CHECK(section(r.wire, dns::Section::answer) == Lines{"example.com. 60 AAAA 64:ff9b::102:304"});
    CHECK_FALSE(header(r.wire).has(dns::Header::AD));
  }
  SECTION("CD alone: synthesized") {
    const Response r =
        f.ask("example.com.", AAAA, "::1", {.flags = dns::Header::RD | dns::Header::CD});
    CHECK(section(r.wire, dns::Section::answer).size() == 1);
    CHECK(header(r.wire).has(dns::Header::CD));
  }
}

TEST_CASE("item 6: non-global IPv4 is not synthesized under the Well-Known Prefix only") {
  const Answer mixed{NOERROR,
                     {an("example.com. 60 A 10.1.2.3"), an("example.com. 60 A 192.168.1.1"),
                      an("example.com. 60 A 1.2.3.4")}};
  Fixture wkp;
  wkp.on("example.com. AAAA", nodata());
  wkp.on("example.com. A", mixed);
  CHECK(section(wkp.ask("example.com.").wire, dns::Section::answer) ==
        Lines{"example.com. 60 AAAA 64:ff9b::102:304"});

  Fixture allowed("dns64 {\n allow_non_global\n}");
  allowed.on("example.com. AAAA", nodata());
  allowed.on("example.com. A", mixed);
  CHECK(section(allowed.ask("example.com.").wire, dns::Section::answer).size() == 3);

  Fixture nsp("dns64 64:ff9b:1::/48");
  nsp.on("example.com. AAAA", nodata());
  nsp.on("example.com. A", mixed);
  CHECK(section(nsp.ask("example.com.").wire, dns::Section::answer) ==
        Lines{"example.com. 60 AAAA 64:ff9b:1:a01:2:300::", "example.com. 60 AAAA 64:ff9b:1:c0a8:1:100::",
              "example.com. 60 AAAA 64:ff9b:1:102:3:400::"});
}

TEST_CASE("items 7 and 11: translate_all asks A first, AAAA only when A has nothing") {
  Fixture f("dns64 {\n translate_all\n}");
  SECTION("row 12: A present: only synthesized AAAA, one upstream question") {
    f.on("example.com. A", {NOERROR, {an("example.com. 900 A 1.2.3.4")}});
    const Response r = f.ask("example.com.");
    CHECK(f.asked() == Lines{"example.com. A"});
    CHECK(section(r.wire, dns::Section::answer) == Lines{"example.com. 600 AAAA 64:ff9b::102:304"});
  }
  SECTION("row 13: an IPv6-only name keeps its own AAAA") {
    f.on("example.com. A", nodata());
    f.on("example.com. AAAA", {NOERROR, {an("example.com. 60 AAAA 2001:db8::1")}});
    const Response r = f.ask("example.com.");
    CHECK(f.asked() == Lines{"example.com. A", "example.com. AAAA"});
    CHECK(section(r.wire, dns::Section::answer) == Lines{"example.com. 60 AAAA 2001:db8::1"});
  }
  SECTION("no A and no AAAA: the negative answer") {
    f.on("example.com. A", nodata(50));
    f.on("example.com. AAAA", nodata(40));
    const Response r = f.ask("example.com.");
    CHECK(r.rcode == NOERROR);
    CHECK(section(r.wire, dns::Section::answer).empty());
    CHECK(section(r.wire, dns::Section::authority) == Lines{"example.com. 50 SOA ns.example.com."});
  }
  SECTION("A NXDOMAIN: NXDOMAIN, no AAAA question") {
    f.on("example.com. A", {NXDOMAIN, {ns("example.com. 60 SOA ns.example.com.")}});
    CHECK(f.ask("example.com.").rcode == NXDOMAIN);
    CHECK(f.asked() == Lines{"example.com. A"});
  }
  SECTION("only non-global A under the Well-Known Prefix: the native AAAA") {
    f.on("example.com. A", {NOERROR, {an("example.com. 60 A 10.0.0.1")}});
    f.on("example.com. AAAA", {NOERROR, {an("example.com. 60 AAAA 2001:db8::1")}});
    CHECK(section(f.ask("example.com.").wire, dns::Section::answer) ==
          Lines{"example.com. 60 AAAA 2001:db8::1"});
  }
}

TEST_CASE("item 8: translate_all DOMAIN, except, clients") {
  Fixture f("dns64 {\n translate_all lab.example\n except corp.example\n}");
  f.on("www.lab.example. A", {NOERROR, {an("www.lab.example. 60 A 1.2.3.4")}});
  f.ask("www.lab.example.");
  CHECK(f.asked() == Lines{"www.lab.example. A"});
  f.on("www.other.example. AAAA", {NOERROR, {an("www.other.example. 60 AAAA 2001:db8::1")}});
  f.ask("www.other.example.");
  CHECK(f.asked() == Lines{"www.other.example. AAAA"});
  f.on("www.corp.example. AAAA", nodata());
  const Response r = f.ask("www.corp.example.");
  CHECK(f.asked() == Lines{"www.corp.example. AAAA"});
  CHECK(section(r.wire, dns::Section::answer).empty());

  Fixture c("dns64 {\n clients 10.0.0.0/8 2001:db8:1::/48\n allow_ipv4\n}");
  c.on("example.com. AAAA", nodata());
  c.on("example.com. A", {NOERROR, {an("example.com. 60 A 1.2.3.4")}});
  for (const auto& [client, served] : std::vector<std::pair<std::string, bool>>{
           {"10.1.1.1", true}, {"::ffff:10.1.1.1", true}, {"2001:db8:1::5", true},
           {"2001:db8:2::5", false}, {"::1", false}, {"192.0.2.1", false}}) {
    INFO(client);
    const Response cr = c.ask("example.com.", AAAA, client);
    CHECK(section(cr.wire, dns::Section::answer).empty() == !served);
  }
}

TEST_CASE("item 9: PTR under the prefix is a CNAME to in-addr.arpa, followed through the chain") {
  const std::string rev =
      "2.2.8.d.8.b.d.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.b.9.f.f.4.6.0.0.ip6.arpa.";
  Fixture f;
  f.on("34.216.184.93.in-addr.arpa. PTR",
       {NOERROR, {an("34.216.184.93.in-addr.arpa. 3600 PTR web.example.")}});
  const Response r = f.ask("2.2.8.D.8.B.D.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.B.9.F.F.4.6.0.0.IP6.ARPA.", PTR);
  CHECK(f.asked() == Lines{"34.216.184.93.in-addr.arpa. PTR"});
  CHECK(r.rcode == NOERROR);
  CHECK(section(r.wire, dns::Section::answer) ==
        Lines{"2.2.8.D.8.B.D.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.B.9.F.F.4.6.0.0.IP6.ARPA. 600 CNAME "
              "34.216.184.93.in-addr.arpa.",
              "34.216.184.93.in-addr.arpa. 3600 PTR web.example."});

  // Outside the prefix, or a non-global address under the Well-Known Prefix: forwarded as is.
  const std::string other =
      "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.";
  f.on(other + " PTR", {NXDOMAIN, {}});
  f.ask(other, PTR);
  CHECK(f.asked() == Lines{other + " PTR"});
  const std::string private_v4 =
      "1.0.0.0.0.0.a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.b.9.f.f.4.6.0.0.ip6.arpa.";
  f.on(private_v4 + " PTR", {NXDOMAIN, {}});
  f.ask(private_v4, PTR);
  CHECK(f.asked() == Lines{private_v4 + " PTR"});
}

TEST_CASE("item 10: ipv4only.arpa is answered without any upstream question") {
  Fixture f;
  const Response a = f.ask("ipv4only.arpa.", A, "127.0.0.1");
  CHECK(section(a.wire, dns::Section::answer).size() == 2);
  const Response aaaa = f.ask("ipv4only.arpa.", AAAA);
  CHECK(section(aaaa.wire, dns::Section::answer) ==
        Lines{"ipv4only.arpa. 600 AAAA 64:ff9b::c000:aa", "ipv4only.arpa. 600 AAAA 64:ff9b::c000:ab"});
  // An IPv4 client is not served DNS64 by default: no AAAA, as without DNS64.
  CHECK(section(f.ask("ipv4only.arpa.", AAAA, "127.0.0.1").wire, dns::Section::answer).empty());
  CHECK(f.asked().empty());
}

TEST_CASE("item 12: coredns_dns64_requests_translated_total counts synthesized answers") {
  Fixture f;
  f.on("example.com. AAAA", nodata());
  f.on("example.com. A", {NOERROR, {an("example.com. 60 A 1.2.3.4")}});
  f.on("empty.example.com. AAAA", nodata());
  f.on("empty.example.com. A", nodata());
  const uint64_t before = translated();
  f.ask("example.com.");
  CHECK(translated() == before + 1);
  f.ask("empty.example.com.");  // nothing was translated
  CHECK(translated() == before + 1);
  f.ask("ipv4only.arpa.");
  CHECK(translated() == before + 2);
}

TEST_CASE("owner names come lower-cased from the A lookup; the question keeps the client's case") {
  Fixture f;
  f.on("example.com. AAAA", nodata());
  f.on("example.com. A", {NOERROR, {an("example.com. 60 A 1.2.3.4")}});
  const Response r = f.ask("ExAmPlE.CoM.");
  dns::MessageView v;
  REQUIRE(v.parse(r.wire) == dns::MessageView::Error::none);
  CHECK(v.question_name().to_text() == "ExAmPlE.CoM.");
  CHECK(section(r.wire, dns::Section::answer) == Lines{"example.com. 60 AAAA 64:ff9b::102:304"});
}

TEST_CASE("EDNS: the client's OPT comes back once, with its size") {
  Fixture f;
  f.on("example.com. AAAA", nodata());
  f.on("example.com. A", {NOERROR, {an("example.com. 60 A 1.2.3.4")}});
  const Response r = f.ask("example.com.", AAAA, "::1", {.edns = true, .udp_size = 1400});
  dns::MessageView v;
  REQUIRE(v.parse(r.wire) == dns::MessageView::Error::none);
  REQUIRE(v.opt());
  CHECK(v.opt()->udp_size == 1400);
  CHECK(v.section_count(dns::Section::additional) == 1);
}

TEST_CASE("nested lookups are bounded: a deep derived query is passed on untouched") {
  Fixture f;
  f.on("example.com. AAAA", nodata());
  const auto q = make_query("example.com.", AAAA);
  Request top(q, Transport::udp, endpoint("::1"), endpoint("::1", 53), &f.rig.server());
  std::unique_ptr<Request> deep = top.derive(name("example.com."), AAAA);
  for (int i = 0; i < 3; ++i) deep = deep->derive(name("example.com."), AAAA);
  std::optional<Response> out;
  async::spawn(f.rig.server().serve(*deep), [&](std::optional<Response> r, std::exception_ptr) {
    out = std::move(r);
  });
  REQUIRE(out);
  CHECK(f.asked() == Lines{"example.com. AAAA"});
}

TEST_CASE("only non-global A records: the AAAA reply's NODATA, with its SOA, as it came") {
  // The A reply lost its only record; its authority (NS and glue) is no negative answer.
  const Answer private_a{NOERROR,
                         {an("example.com. 60 A 10.1.2.3"), ns("example.com. 300 NS ns.example.com."),
                          ar("ns.example.com. 300 A 1.2.3.9")},
                         dns::Header::AD};
  const Answer aaaa_nodata{NOERROR, {ns("example.com. 70 SOA ns.example.com.")}, dns::Header::AD};
  for (const std::string body : {"dns64", "dns64 {\n translate_all\n}"}) {
    INFO(body);
    Fixture f(body);
    f.on("example.com. AAAA", aaaa_nodata);
    f.on("example.com. A", private_a);
    const Response r = f.ask("example.com.", AAAA, "::1", {.do_bit = true});
    CHECK(r.rcode == NOERROR);
    CHECK(section(r.wire, dns::Section::answer).empty());
    CHECK(section(r.wire, dns::Section::authority) == Lines{"example.com. 70 SOA ns.example.com."});
    CHECK(section(r.wire, dns::Section::additional).empty());
    CHECK(header(r.wire).has(dns::Header::AD));  // RFC 6147 §5.5: nothing was synthesized
    CHECK(f.asked().size() == 2);
  }
}

TEST_CASE("only excluded AAAA and only non-global A: the AAAA reply without the excluded ones") {
  for (const std::string body : {"dns64", "dns64 {\n translate_all\n}"}) {
    INFO(body);
    Fixture f(body);
    f.on("example.com. AAAA", {NOERROR,
                               {an("example.com. 60 AAAA ::ffff:10.1.2.3"),
                                ns("example.com. 300 NS ns.example.com.")},
                               dns::Header::AD});
    f.on("example.com. A", {NOERROR, {an("example.com. 60 A 10.1.2.3")}, dns::Header::AD});
    const Response r = f.ask("example.com.", AAAA, "::1", {.do_bit = true});
    CHECK(r.rcode == NOERROR);
    CHECK(section(r.wire, dns::Section::answer).empty());
    CHECK(section(r.wire, dns::Section::authority) == Lines{"example.com. 300 NS ns.example.com."});
    CHECK(header(r.wire).has(dns::Header::AD));
  }
}

TEST_CASE("RFC 6147 §5.5: only synthesized answers lose the upstream's AD") {
  Fixture f;
  const auto ad = [](Answer a) {
    a.flags = dns::Header::AD;
    return a;
  };
  const QueryOptions dnssec{.do_bit = true};
  SECTION("a NODATA taken from the A side keeps AD") {
    f.on("example.com. AAAA", {SERVFAIL, {}});
    f.on("example.com. A", ad(nodata(50)));
    const Response r = f.ask("example.com.", AAAA, "::1", dnssec);
    CHECK(section(r.wire, dns::Section::authority) == Lines{"example.com. 50 SOA ns.example.com."});
    CHECK(header(r.wire).has(dns::Header::AD));
  }
  SECTION("no address on either side keeps AD") {
    f.on("example.com. AAAA", ad(nodata(40)));
    f.on("example.com. A", ad(nodata(50)));
    CHECK(header(f.ask("example.com.", AAAA, "::1", dnssec).wire).has(dns::Header::AD));
  }
  SECTION("without AD upstream, none is added") {
    f.on("example.com. AAAA", nodata(40));
    f.on("example.com. A", nodata(50));
    CHECK_FALSE(header(f.ask("example.com.", AAAA, "::1", dnssec).wire).has(dns::Header::AD));
  }
  SECTION("a passed-through AAAA answer keeps AD") {
    f.on("example.com. AAAA", ad({NOERROR, {an("example.com. 60 AAAA 2001:db8::1")}}));
    CHECK(header(f.ask("example.com.", AAAA, "::1", dnssec).wire).has(dns::Header::AD));
  }
  SECTION("a synthesized answer has none") {
    f.on("example.com. AAAA", ad(nodata(40)));
    f.on("example.com. A", ad({NOERROR, {an("example.com. 60 A 1.2.3.4")}}));
    const Response r = f.ask("example.com.", AAAA, "::1", dnssec);
    CHECK(section(r.wire, dns::Section::answer) == Lines{"example.com. 40 AAAA 64:ff9b::102:304"});
    CHECK_FALSE(header(r.wire).has(dns::Header::AD));
  }
}
