#include "plugins/dns64/ipv4only.h"

#include <catch2/catch.hpp>

#include "plugins/dns64/test_util.h"

using namespace coredns;
using namespace coredns::plugins::dns64;
using namespace dns64test;

namespace {

LocalAnswer ask(const std::string& qname, uint16_t qtype, const Prefix64* p) {
  const auto q = make_query(qname, qtype);
  dns::MessageView v;
  REQUIRE(v.parse(q) == dns::MessageView::Error::none);
  const dns::Name lower = name(qname).lowered();
  REQUIRE(is_ipv4only_name(lower));
  return answer_ipv4only(v, lower, p);
}

}  // namespace

TEST_CASE("the three local zones and nothing else") {
  CHECK(is_ipv4only_name(name("ipv4only.arpa.")));
  CHECK(is_ipv4only_name(name("x.ipv4only.arpa.")));
  CHECK(is_ipv4only_name(name("170.0.0.192.in-addr.arpa.")));
  CHECK(is_ipv4only_name(name("171.0.0.192.in-addr.arpa.")));
  CHECK_FALSE(is_ipv4only_name(name("172.0.0.192.in-addr.arpa.")));
  CHECK_FALSE(is_ipv4only_name(name("arpa.")));
  CHECK_FALSE(is_ipv4only_name(name("ipv4only.arpa.example.")));
}

TEST_CASE("RFC 8880 §7.2 answers: A, AAAA with the prefix, PTR, NODATA and NXDOMAIN with SOA") {
  const Prefix64 wkp = Prefix64::well_known();
  auto a = ask("IPv4only.ARPA.", dns::type::A, &wkp);
  CHECK(a.rcode == dns::rcode::NOERROR);
  CHECK_FALSE(a.synthesized);
  CHECK(section(a.wire, dns::Section::answer) ==
        Lines{"IPv4only.ARPA. 600 A 192.0.0.170", "IPv4only.ARPA. 600 A 192.0.0.171"});
  CHECK(header(a.wire).has(dns::Header::AA));
  CHECK(header(a.wire).has(dns::Header::RA));

  // 192.0.0.0/24 is not global, but this is how clients find the prefix: synthesized anyway.
  auto aaaa = ask("ipv4only.arpa.", dns::type::AAAA, &wkp);
  CHECK(aaaa.synthesized);
  CHECK(section(aaaa.wire, dns::Section::answer) ==
        Lines{"ipv4only.arpa. 600 AAAA 64:ff9b::c000:aa", "ipv4only.arpa. 600 AAAA 64:ff9b::c000:ab"});
  CHECK_FALSE(header(aaaa.wire).has(dns::Header::AA));
  std::string error;
  const Prefix64 nsp = *Prefix64::parse("2001:db8:122::/48", error);
  CHECK(section(ask("ipv4only.arpa.", dns::type::AAAA, &nsp).wire, dns::Section::answer) ==
        Lines{"ipv4only.arpa. 600 AAAA 2001:db8:122:c000:0:aa00::",
              "ipv4only.arpa. 600 AAAA 2001:db8:122:c000:0:ab00::"});

  // A client not served DNS64 sees what a resolver without DNS64 would: no AAAA.
  auto plain = ask("ipv4only.arpa.", dns::type::AAAA, nullptr);
  CHECK_FALSE(plain.synthesized);
  CHECK(section(plain.wire, dns::Section::answer).empty());
  CHECK(section(plain.wire, dns::Section::authority) ==
        Lines{"ipv4only.arpa. 600 SOA ipv4only.arpa."});

  auto mx = ask("ipv4only.arpa.", dns::type::MX, &wkp);
  CHECK(mx.rcode == dns::rcode::NOERROR);
  CHECK(section(mx.wire, dns::Section::answer).empty());
  CHECK(section(mx.wire, dns::Section::authority) == Lines{"ipv4only.arpa. 600 SOA ipv4only.arpa."});

  auto below = ask("www.ipv4only.arpa.", dns::type::A, &wkp);
  CHECK(below.rcode == dns::rcode::NXDOMAIN);
  CHECK(header(below.wire).rcode() == dns::rcode::NXDOMAIN);
  CHECK(section(below.wire, dns::Section::authority) == Lines{"ipv4only.arpa. 600 SOA ipv4only.arpa."});

  for (const char* ptr : {"170.0.0.192.in-addr.arpa.", "171.0.0.192.in-addr.arpa."}) {
    auto p = ask(ptr, dns::type::PTR, &wkp);
    CHECK(section(p.wire, dns::Section::answer) ==
          Lines{std::string(ptr) + " 600 PTR ipv4only.arpa."});
  }
  auto txt = ask("170.0.0.192.in-addr.arpa.", dns::type::TXT, &wkp);
  CHECK(section(txt.wire, dns::Section::authority) ==
        Lines{"170.0.0.192.in-addr.arpa. 600 SOA 170.0.0.192.in-addr.arpa."});
}
