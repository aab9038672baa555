#include "plugins/dns64/cidr.h"

#include <arpa/inet.h>

#include <catch2/catch.hpp>

#include "plugins/dns64/domain_set.h"
#include "plugins/dns64/test_util.h"

using namespace coredns::plugins::dns64;

namespace {

bool global(const char* text) {
  uint8_t a[4];
  REQUIRE(inet_pton(AF_INET, text, a) == 1);
  return is_global_ipv4(a);
}

CidrList list(std::initializer_list<const char*> items) {
  CidrList l;
  for (const char* i : items) {
    auto c = Cidr::parse(i, true);
    INFO(i);
    REQUIRE(c);
    l.add(*c);
  }
  return l;
}

}  // namespace

TEST_CASE("RFC 6890 special-purpose IPv4 ranges are not global, at both ends of each range") {
  const char* special[] = {
      "0.0.0.0",       "0.255.255.255",   "10.0.0.0",        "10.255.255.255", "100.64.0.0",
      "100.127.255.255", "127.0.0.1",     "169.254.0.1",     "169.254.255.255", "172.16.0.0",
      "172.31.255.255", "192.0.0.0",      "192.0.0.170",     "192.0.0.255",    "192.0.2.1",
      "192.168.0.1",   "192.168.255.255", "198.18.0.0",      "198.19.255.255", "198.51.100.7",
      "203.0.113.9",   "224.0.0.1",       "239.255.255.255", "240.0.0.1",      "255.255.255.255"};
  for (const char* a : special) {
    INFO(a);
    CHECK_FALSE(global(a));
  }
  const char* global_ones[] = {"1.1.1.1",     "9.255.255.255", "11.0.0.0",   "100.63.255.255",
                               "100.128.0.0", "172.15.255.255", "172.32.0.0", "192.0.1.255",
                               "192.0.3.0",   "192.167.255.255", "192.169.0.0", "198.17.255.255",
                               "198.20.0.0",  "198.51.101.0", "203.0.112.255", "223.255.255.255",
                               "93.184.216.34"};
  for (const char* a : global_ones) {
    INFO(a);
    CHECK(global(a));
  }
}

TEST_CASE("address prefixes: IPv6, IPv4, bare hosts, IPv4-mapped taken as IPv4") {
  const auto l = list({"2001:db8::/32", "10.0.0.0/8", "192.0.2.7", "::ffff:172.16.0.0/108"});
  CHECK(l.contains(dns64test::endpoint("2001:db8::1")));
  CHECK_FALSE(l.contains(dns64test::endpoint("2001:db9::1")));
  CHECK(l.contains(dns64test::endpoint("10.1.2.3")));
  CHECK(l.contains(dns64test::endpoint("192.0.2.7")));
  CHECK_FALSE(l.contains(dns64test::endpoint("192.0.2.8")));
  CHECK(l.contains(dns64test::endpoint("172.16.9.9")));
  CHECK(l.contains(dns64test::endpoint("::ffff:10.9.9.9")));  // a mapped source is IPv4
  CHECK_FALSE(l.contains(dns64test::endpoint("11.0.0.1")));

  // Without unmapping (exclude lists), an IPv4-mapped prefix stays an IPv6 prefix.
  auto mapped = Cidr::parse("::ffff:0:0/96");
  REQUIRE(mapped);
  uint8_t a[16];
  REQUIRE(inet_pton(AF_INET6, "::ffff:1.2.3.4", a) == 1);
  CHECK(mapped->contains(AF_INET6, a));
  CHECK(mapped->length == 96);

  for (const char* bad : {"foo", "10.0.0.0/33", "::/129", "10.0.0.0/", "10/8", "::/x"}) {
    INFO(bad);
    CHECK_FALSE(Cidr::parse(bad));
  }
}

TEST_CASE("domain sets match names at or below a domain, label-wise") {
  DomainSet s;
  CHECK_FALSE(s.covers(dns64test::name("example.org.")));
  s.add(dns64test::name("Example.ORG"));
  s.add(dns64test::name("svc.cluster.local."));
  const DomainSet copy = s;  // copies keep working (their index points at their own strings)
  for (const DomainSet* d : std::initializer_list<const DomainSet*>{&s, &copy}) {
    CHECK(d->covers(dns64test::name("example.org.")));
    CHECK(d->covers(dns64test::name("www.example.org.")));
    CHECK(d->covers(dns64test::name("a.b.svc.cluster.local.")));
    CHECK_FALSE(d->covers(dns64test::name("badexample.org.")));
    CHECK_FALSE(d->covers(dns64test::name("org.")));
    CHECK_FALSE(d->covers(dns64test::name("cluster.local.")));
  }
  DomainSet root;
  root.add(dns64test::name("."));
  CHECK(root.covers(dns64test::name("anything.example.")));
}
