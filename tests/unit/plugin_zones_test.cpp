// Zone lists of plugin directives (CoreDNS's plugin.Host and plugin.Zones helpers).
#include <catch2/catch.hpp>

#include "core/plugin/zones.h"
#include "tests/unit/dns_test_support.h"

using namespace coredns;
using testing::lowered;

TEST_CASE("normalize_host_exact", "[zones]") {
  using V = std::vector<std::string>;
  CHECK(normalize_host_exact("Example.ORG") == V{"example.org."});
  CHECK(normalize_host_exact("example.org.") == V{"example.org."});
  CHECK(normalize_host_exact(".") == V{"."});
  CHECK(normalize_host_exact("dns://example.org:1053") == V{"example.org."});
  CHECK(normalize_host_exact("10.0.0.0/15") == V{"0.10.in-addr.arpa.", "1.10.in-addr.arpa."});
  CHECK(normalize_host_exact("example..org").empty());
  CHECK(normalize_host_exact(std::string(64, 'a') + ".org").empty());
}

TEST_CASE("origins_from_args_or_block", "[zones]") {
  std::vector<corefile::ZoneAddress> block = {{"dns", "example.org.", "53"},
                                              {"dns", "example.net.", "53"}};
  using V = std::vector<std::string>;
  CHECK(origins_from_args_or_block({}, block) == V{"example.org.", "example.net."});
  CHECK(origins_from_args_or_block({"A.nl", "bad..name", "b.nl"}, block) ==
        V{"a.nl.", "b.nl."});
}

TEST_CASE("ZoneSet matches names at and below its zones", "[zones]") {
  ZoneSet z({"example.org.", "b.nl."});
  CHECK(z.contains(lowered("example.org.")));
  CHECK(z.contains(lowered("www.example.org.")));
  CHECK_FALSE(z.contains(lowered("badexample.org.")));
  CHECK_FALSE(z.contains(lowered("org.")));
  CHECK(z.contains(lowered("x.b.nl.")));
  CHECK(ZoneSet({"."}).contains(lowered("anything.")));
  CHECK_FALSE(ZoneSet().contains(lowered("anything.")));
}
