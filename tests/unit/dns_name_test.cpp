#include <catch2/catch.hpp>

#include "core/dns/name.h"
#include "dns_test_support.h"

using coredns::dns::Name;
using coredns::testing::name;

TEST_CASE("names round-trip between text and wire") {
  CHECK(name("www.example.org").to_text() == "www.example.org.");
  CHECK(name("www.example.org.").size() == 17);
  CHECK(name(".").is_root());
  CHECK(name(".").to_text() == ".");
  CHECK(name("a\\.b.example.").to_text() == "a\\.b.example.");
  CHECK(name("a\\.b.example.").label_count() == 2);
  CHECK(name("x\\001y.").to_text() == "x\\001y.");
  CHECK(name("WwW.Example.ORG.").to_text() == "WwW.Example.ORG.");
}

TEST_CASE("invalid names are rejected") {
  Name n;
  CHECK_FALSE(Name::from_text("", n));
  CHECK_FALSE(Name::from_text("a..b", n));
  CHECK_FALSE(Name::from_text(".a", n));
  CHECK_FALSE(Name::from_text(std::string(64, 'a') + ".org", n));
  CHECK(Name::from_text(std::string(63, 'a') + ".org", n));
  std::string long_name;
  for (int i = 0; i < 52; ++i) long_name += "abcd.";
  CHECK_FALSE(Name::from_text(long_name, n));  // 52 labels: 261 octets
  CHECK_FALSE(Name::from_text("a\\25", n));
  CHECK_FALSE(Name::from_text("a\\999.", n));
}

TEST_CASE("case-insensitive comparison and subdomains") {
  CHECK(name("WWW.example.ORG").equals_ci(name("www.EXAMPLE.org")));
  CHECK_FALSE(name("www.example.org") == name("WWW.example.org"));
  CHECK(name("a.b.example.org").is_subdomain_of(name("EXAMPLE.org")));
  CHECK(name("example.org").is_subdomain_of(name("example.org")));
  CHECK(name("example.org").is_subdomain_of(name(".")));
  CHECK_FALSE(name("badexample.org").is_subdomain_of(name("example.org")));
  CHECK_FALSE(name("org").is_subdomain_of(name("example.org")));
  CHECK(name("www.example.org").parent().to_text() == "example.org.");
  CHECK(name("WwW.ExAmple.org").lowered().to_text() == "www.example.org.");
}

TEST_CASE("prepend_label builds _udp owners") {
  Name n = name("example.org");
  REQUIRE(n.prepend_label("_udp"));
  CHECK(n.to_text() == "_udp.example.org.");
  Name root;
  REQUIRE(root.prepend_label("_tcp"));
  CHECK(root.to_text() == "_tcp.");
}

TEST_CASE("reading compressed names enforces backward pointers") {
  // header(12) + "example.org" at 12 + pointer to 12 at 25
  std::vector<uint8_t> msg(12, 0);
  const auto n = name("example.org");
  msg.insert(msg.end(), n.wire().begin(), n.wire().end());
  size_t ptr_at = msg.size();
  msg.push_back(0xC0);
  msg.push_back(12);
  Name out;
  CHECK(coredns::dns::read_name(msg, ptr_at, &out) == ptr_at + 2);
  CHECK(out.to_text() == "example.org.");
  // A pointer to itself or forward is malformed (no loops).
  msg.push_back(0xC0);
  msg.push_back(static_cast<uint8_t>(msg.size() - 1));
  CHECK(coredns::dns::read_name(msg, msg.size() - 2, &out) == coredns::dns::kBadOffset);
  std::vector<uint8_t> fwd(12, 0);
  fwd.push_back(0xC0);
  fwd.push_back(14);
  fwd.push_back(0);
  CHECK(coredns::dns::read_name(fwd, 12, &out) == coredns::dns::kBadOffset);
  // Truncated label.
  std::vector<uint8_t> cut(12, 0);
  cut.push_back(5);
  cut.push_back('a');
  CHECK(coredns::dns::read_name(cut, 12, &out) == coredns::dns::kBadOffset);
}
