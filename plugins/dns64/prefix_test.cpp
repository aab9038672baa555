#include "plugins/dns64/prefix.h"

#include <arpa/inet.h>

#include <catch2/catch.hpp>

using coredns::plugins::dns64::Ipv4;
using coredns::plugins::dns64::Ipv6;
using coredns::plugins::dns64::Prefix64;

namespace {

Prefix64 prefix(const char* text) {
  std::string error;
  auto p = Prefix64::parse(text, error);
  INFO(text << ": " << error);
  REQUIRE(p);
  return *p;
}

Ipv4 v4(const char* text) {
  Ipv4 out{};
  REQUIRE(inet_pton(AF_INET, text, out.data()) == 1);
  return out;
}

Ipv6 v6(const char* text) {
  Ipv6 out{};
  REQUIRE(inet_pton(AF_INET6, text, out.data()) == 1);
  return out;
}

std::string text(const Ipv6& a) {
  char buf[INET6_ADDRSTRLEN] = {0};
  inet_ntop(AF_INET6, a.data(), buf, sizeof buf);
  return buf;
}

std::string error_of(const char* text) {
  std::string error;
  CHECK_FALSE(Prefix64::parse(text, error));
  return error;
}

}  // namespace

TEST_CASE("RFC 6052 §2.4 embedding for every prefix length, skipping the u-octet") {
  struct Vector {
    const char* prefix;
    const char* v4;
    const char* v6;
  };
  // RFC 6052 §2.4's table, then CoreDNS's dns64_test.go vectors with 64.64.64.64 and ipv4only.arpa's
  // addresses, and the RFC 8215 local-use prefix.
  const Vector vectors[] = {
      {"2001:db8::/32", "192.0.2.33", "2001:db8:c000:221::"},
      {"2001:db8:100::/40", "192.0.2.33", "2001:db8:1c0:2:21::"},
      {"2001:db8:122::/48", "192.0.2.33", "2001:db8:122:c000:2:2100::"},
      {"2001:db8:122:300::/56", "192.0.2.33", "2001:db8:122:3c0:0:221::"},
      {"2001:db8:122:344::/64", "192.0.2.33", "2001:db8:122:344:c0:2:2100:0"},
      {"2001:db8:122:344::/96", "192.0.2.33", "2001:db8:122:344::c000:221"},
      {"64:ff9b::/96", "64.64.64.64", "64:ff9b::4040:4040"},
      {"64:ff9b::/64", "64.64.64.64", "64:ff9b::40:4040:4000:0"},
      {"64:ff9b::/56", "64.64.64.64", "64:ff9b:0:40:40:4040::"},
      {"64::/32", "64.64.64.64", "64:0:4040:4040::"},
      {"64:ff9b::/40", "64.64.64.64", "64:ff9b:40:4040:40::"},
      {"64:ff9b::/48", "64.64.64.64", "64:ff9b:0:4040:40:4000::"},
      {"64:ff9b::/96", "192.0.0.170", "64:ff9b::c000:aa"},
      {"64:ff9b::/96", "192.0.0.171", "64:ff9b::c000:ab"},
      {"64:ff9b:1::/48", "192.0.2.33", "64:ff9b:1:c000:2:2100::"},
  };
  for (const auto& t : vectors) {
    INFO(t.prefix << " " << t.v4);
    const Prefix64 p = prefix(t.prefix);
    CHECK(text(p.embed(v4(t.v4))) == t.v6);
    // And back: extraction is the inverse.
    auto back = p.extract(v6(t.v6));
    REQUIRE(back);
    CHECK(*back == v4(t.v4));
  }
}

TEST_CASE("the u-octet (bits 64-71) stays zero, and extraction ignores the suffix") {
  for (const char* p : {"2001:db8::/32", "2001:db8:100::/40", "2001:db8:122::/48",
                        "2001:db8:122:300::/56", "2001:db8:122:344::/64"}) {
    INFO(p);
    CHECK(prefix(p).embed(v4("255.255.255.255"))[8] == 0);
  }
  const Prefix64 p64 = prefix("2001:db8:122:344::/64");
  CHECK_FALSE(p64.extract(v6("2001:db8:122:344:1c0:2:2100:0")));  // u-octet set
  auto with_suffix = p64.extract(v6("2001:db8:122:344:c0:2:2100:ff"));
  REQUIRE(with_suffix);
  CHECK(*with_suffix == v4("192.0.2.33"));
  CHECK_FALSE(prefix("64:ff9b::/96").extract(v6("64:ff9c::c000:221")));  // outside the prefix
}

TEST_CASE("prefix lengths RFC 6052 allows, host bits masked as CoreDNS does") {
  CHECK(prefix("64:ff9b::1/96").to_text() == "64:ff9b::/96");
  CHECK(prefix("64:ff9b::/32").to_text() == "64:ff9b::/32");
  CHECK(prefix("2002:c0a8:a88a::/48").to_text() == "2002:c0a8:a88a::/48");
  CHECK(prefix("2002:ac12:b083::/96").to_text() == "2002:ac12:b083::/96");
  CHECK(prefix("2001:db8:122:344:ff00::/64").length() == 64);  // u-octet beyond the prefix
  CHECK(Prefix64::well_known().to_text() == "64:ff9b::/96");
  CHECK(Prefix64::well_known().is_well_known());
  CHECK_FALSE(prefix("64:ff9b:1::/48").is_well_known());
  CHECK_FALSE(prefix("64:ff9b::/64").is_well_known());
}

TEST_CASE("prefixes RFC 6052 forbids are rejected with the reason") {
  for (const char* bad : {"64:ff9b::/52", "64:ff9b::/104", "64:ff9b::/72", "64:ff9b::/80",
                          "64:ff9b::/88", "64:ff9b::/128", "64:ff9b::/0", "64:ff9b::/24"})
    CHECK(error_of(bad).find("RFC 6052 allows only the lengths 32, 40, 48, 56, 64 and 96") !=
          std::string::npos);
  CHECK(error_of("64:ff9b:0:0:ff00::/96") ==
        "invalid prefix 64:ff9b:0:0:ff00::/96: bits 64 to 71 must be zero (RFC 6052 §2.2)");
  for (const char* bad : {"8.8.8.8/24", "foobar", "64:ff9b::", "64:ff9b::/", "64:ff9b::/x96",
                          "64:ff9b::/1000", "/96"})
    CHECK(error_of(bad).find("want an IPv6 CIDR") != std::string::npos);
}
