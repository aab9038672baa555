#include "plugins/dns64/synthesis.h"

#include <catch2/catch.hpp>

#include "plugins/dns64/test_util.h"

using namespace coredns;
using namespace coredns::plugins::dns64;
using namespace dns64test;

namespace {

dns::MessageView view(const std::vector<uint8_t>& wire) {
  dns::MessageView v;
  REQUIRE(v.parse(wire) == dns::MessageView::Error::none);
  return v;
}

CidrList default_exclude() {
  CidrList l;
  l.add(*Cidr::parse("::ffff:0:0/96"));
  return l;
}

}  // namespace

TEST_CASE("judging the AAAA reply (CoreDNS's plugin/dns64/dns64.go, responseShouldDNS64)") {
  const auto q = make_query("example.com.", dns::type::AAAA);
  const CidrList ex = default_exclude();
  auto judge = [&](uint16_t rcode, std::vector<RR> rrs) {
    const auto r = make_reply(q, rcode, rrs);
    return judge_aaaa(view(r), ex);
  };
  CHECK(judge(dns::rcode::NOERROR, {an("example.com. 60 AAAA ::1")}) == AaaaVerdict::answer);
  CHECK(judge(dns::rcode::NOERROR, {ns("example.com. 70 SOA ns.example.com.")}) ==
        AaaaVerdict::synthesize);
  CHECK(judge(dns::rcode::NOTIMP, {ns("example.com. 70 SOA ns.example.com.")}) ==
        AaaaVerdict::synthesize);
  CHECK(judge(dns::rcode::NXDOMAIN, {ns("example.com. 70 SOA ns.example.com.")}) ==
        AaaaVerdict::name_error);
  // NXDOMAIN is recognised by its rcode, even behind a CNAME (CoreDNS's plugin/dns64/dns64.go,
  // responseShouldDNS64).
  CHECK(judge(dns::rcode::NXDOMAIN, {an("example.com. 60 CNAME gone.example.com.")}) ==
        AaaaVerdict::name_error);
  CHECK(judge(dns::rcode::SERVFAIL, {}) == AaaaVerdict::synthesize);
  CHECK(judge(dns::rcode::NOERROR, {an("example.com. 60 CNAME v4.example.com.")}) ==
        AaaaVerdict::synthesize);
  // RFC 6147 §5.1.4: ::ffff:0:0/96 counts as absent; mixed answers keep the rest.
  CHECK(judge(dns::rcode::NOERROR, {an("example.com. 60 AAAA ::ffff:1.2.3.4")}) ==
        AaaaVerdict::synthesize);
  CHECK(judge(dns::rcode::NOERROR, {an("example.com. 60 AAAA ::ffff:1.2.3.4"),
                                    an("example.com. 60 AAAA 2001:db8::1")}) ==
        AaaaVerdict::answer_excluded);
}

TEST_CASE("excluded AAAA records and their signatures are removed, the rest kept in order") {
  const auto q = make_query("example.com.", dns::type::AAAA);
  const auto r = make_reply(q, dns::rcode::NOERROR,
                            {an("example.com. 60 CNAME mixed.example.com."),
                             an("mixed.example.com. 60 AAAA ::ffff:1.2.3.4"),
                             an("mixed.example.com. 60 AAAA 2001:db8::1"),
                             an("mixed.example.com. 60 RRSIG AAAA"),
                             ns("example.com. 300 NS ns.example.com.")});
  const auto out = without_excluded(view(r), default_exclude());
  CHECK(section(out, dns::Section::answer) ==
        Lines{"example.com. 60 CNAME mixed.example.com.", "mixed.example.com. 60 AAAA 2001:db8::1"});
  CHECK(section(out, dns::Section::authority) == Lines{"example.com. 300 NS ns.example.com."});
  CHECK(header(out).id == 42);
}

TEST_CASE("item 5: the TTL bound is the last SOA's TTL in the AAAA reply, else 600") {
  const auto q = make_query("example.com.", dns::type::AAAA);
  CHECK(ttl_bound(view(make_reply(q, 0, {ns("example.com. 70 SOA ns.example.com.")}))) == 70);
  CHECK(ttl_bound(view(make_reply(q, 0, {ns("example.com. 70 SOA ns.example.com."),
                                          ns("example.com. 90 SOA ns.example.com.")}))) == 90);
  CHECK(ttl_bound(view(make_reply(q, 0, {ns("example.com. 70 NS ns.example.com.")}))) == 600);
  CHECK(ttl_bound(view(make_reply(q, 5, {}))) == 600);
}

TEST_CASE("assembly: client's question and ID, A rcode and TC, RA set, AA and AD clear") {
  const auto q = make_query("ExAmple.COM.", dns::type::AAAA, {.id = 7, .flags = dns::Header::RD |
                                                                                   dns::Header::CD});
  const auto aq = make_query("example.com.", dns::type::A, {.id = 9});
  const auto a = make_reply(aq, dns::rcode::NOERROR,
                            {an("example.com. 3600 A 1.2.3.4"), an("example.com. 30 A 10.0.0.1"),
                             an("example.com. 3600 RRSIG A"), ns("example.com. 300 NS ns.example.com."),
                             ar("ns.example.com. 300 A 1.2.3.5")},
                            dns::Header::AA | dns::Header::AD | dns::Header::TC);
  const Prefix64 p = Prefix64::well_known();
  std::vector<uint8_t> out = {1, 2, 3};  // a reused buffer is overwritten
  const Assembled r = assemble(out, view(q), view(a), 900, {p, true});
  CHECK(r.rcode == dns::rcode::NOERROR);
  CHECK(r.synthesized == 1);
  const dns::Header h = header(out);
  CHECK(h.id == 7);
  CHECK(h.has(dns::Header::QR));
  CHECK(h.has(dns::Header::RD));
  CHECK(h.has(dns::Header::CD));
  CHECK(h.has(dns::Header::RA));
  CHECK(h.has(dns::Header::TC));
  CHECK_FALSE(h.has(dns::Header::AA));
  CHECK_FALSE(h.has(dns::Header::AD));
  dns::MessageView v = view(out);
  CHECK(v.question_name().to_text() == "ExAmple.COM.");
  CHECK(v.question().qtype == dns::type::AAAA);
  // 10.0.0.1 is not global: not under the Well-Known Prefix. RRSIG(A) never goes along. The
  // additional section is passed unchanged (RFC 6147 §5.3.2): its A glue is not synthesized.
  CHECK(section(out, dns::Section::answer) == Lines{"example.com. 900 AAAA 64:ff9b::102:304"});
  CHECK(section(out, dns::Section::authority) == Lines{"example.com. 300 NS ns.example.com."});
  CHECK(section(out, dns::Section::additional) == Lines{"ns.example.com. 300 A 1.2.3.5"});

  const Assembled all = assemble(out, view(q), view(a), 900, {p, false});
  CHECK(all.synthesized == 2);
  CHECK(section(out, dns::Section::answer) ==
        Lines{"example.com. 900 AAAA 64:ff9b::102:304", "example.com. 30 AAAA 64:ff9b::a00:1"});
}

TEST_CASE("assembly passes the A lookup's failure and keeps the CNAME chain") {
  const auto q = make_query("www.example.com.", dns::type::AAAA);
  const auto aq = make_query("www.example.com.", dns::type::A);
  const Prefix64 p = Prefix64::well_known();
  std::vector<uint8_t> out;
  const auto nx = make_reply(aq, dns::rcode::NXDOMAIN,
                             {an("www.example.com. 60 CNAME gone.example.com."),
                              ns("example.com. 60 SOA ns.example.com.")});
  CHECK(assemble(out, view(q), view(nx), 600, {p, true}).rcode == dns::rcode::NXDOMAIN);
  CHECK(header(out).rcode() == dns::rcode::NXDOMAIN);
  CHECK(section(out, dns::Section::answer) == Lines{"www.example.com. 60 CNAME gone.example.com."});
  CHECK(section(out, dns::Section::authority) == Lines{"example.com. 60 SOA ns.example.com."});

  const auto sf = make_reply(aq, dns::rcode::SERVFAIL, {});
  CHECK(assemble(out, view(q), view(sf), 600, {p, true}).rcode == dns::rcode::SERVFAIL);
  CHECK(header(out).has(dns::Header::RA));
}
