#include "plugins/dns64/reverse.h"

#include <catch2/catch.hpp>

#include "plugins/dns64/test_util.h"

using namespace coredns;
using namespace coredns::plugins::dns64;
using namespace dns64test;

namespace {

std::string ip6_arpa(const char* v6) {
  uint8_t a[16];
  REQUIRE(inet_pton(AF_INET6, v6, a) == 1);
  std::string out;
  const char* hex = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    out += hex[a[i] & 0xF];
    out += '.';
    out += hex[a[i] >> 4];
    out += '.';
  }
  return out + "ip6.arpa.";
}

}  // namespace

TEST_CASE("a full ip6.arpa name gives its address; anything else does not") {
  auto a = parse_ip6_arpa(name(ip6_arpa("64:ff9b::c000:221")));
  REQUIRE(a);
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, a->data(), buf, sizeof buf);
  CHECK(std::string(buf) == "64:ff9b::c000:221");
  CHECK_FALSE(parse_ip6_arpa(name("b.9.f.f.4.6.0.0.ip6.arpa.")));       // a zone, not an address
  CHECK_FALSE(parse_ip6_arpa(name("x." + ip6_arpa("64:ff9b::1"))));     // too deep
  std::string bad = ip6_arpa("64:ff9b::1");
  bad[0] = 'g';
  CHECK_FALSE(parse_ip6_arpa(name(bad)));
  CHECK_FALSE(parse_ip6_arpa(name("1.0.0.127.in-addr.arpa.")));
}

TEST_CASE("the in-addr.arpa name of an IPv4 address") {
  CHECK(in_addr_arpa({192, 0, 2, 33}).to_text() == "33.2.0.192.in-addr.arpa.");
  CHECK(in_addr_arpa({0, 10, 255, 1}).to_text() == "1.255.10.0.in-addr.arpa.");
}

TEST_CASE("the reverse reply: CNAME to in-addr.arpa, then the PTR lookup's sections and rcode") {
  const std::string qname = ip6_arpa("64:ff9b::5db8:d822");
  const auto q = make_query(qname, dns::type::PTR, {.id = 5});
  const dns::Name target = in_addr_arpa({93, 184, 216, 34});
  const auto lq = make_query(target.to_text(), dns::type::PTR);
  const auto found = make_reply(lq, 0, {an("34.216.184.93.in-addr.arpa. 3600 PTR web.example.")});
  dns::MessageView qv, lv;
  REQUIRE(qv.parse(q) == dns::MessageView::Error::none);
  REQUIRE(lv.parse(found) == dns::MessageView::Error::none);
  std::vector<uint8_t> out;
  CHECK(assemble_reverse(out, qv, target, lv) == dns::rcode::NOERROR);
  CHECK(section(out, dns::Section::answer) ==
        Lines{qname + " 600 CNAME 34.216.184.93.in-addr.arpa.",
              "34.216.184.93.in-addr.arpa. 3600 PTR web.example."});
  CHECK(header(out).id == 5);
  CHECK(header(out).has(dns::Header::RA));

  const auto missing = make_reply(lq, dns::rcode::NXDOMAIN, {ns("in-addr.arpa. 60 SOA b.in-addr-servers.arpa.")});
  REQUIRE(lv.parse(missing) == dns::MessageView::Error::none);
  CHECK(assemble_reverse(out, qv, target, lv) == dns::rcode::NXDOMAIN);
  CHECK(section(out, dns::Section::answer).size() == 1);
  CHECK(section(out, dns::Section::authority) ==
        Lines{"in-addr.arpa. 60 SOA b.in-addr-servers.arpa."});
}
