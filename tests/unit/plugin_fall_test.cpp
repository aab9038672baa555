// `fallthrough [ZONES...]` (CoreDNS's plugin/pkg/fall).
#include <catch2/catch.hpp>

#include "core/plugin/fall.h"
#include "tests/unit/dns_test_support.h"

using namespace coredns;
using testing::lowered;

TEST_CASE("no fallthrough line passes nothing on", "[fall]") {
  Fallthrough f;
  CHECK_FALSE(f.enabled());
  CHECK_FALSE(f.through(lowered("example.org.")));
}

TEST_CASE("a bare fallthrough covers every name", "[fall]") {
  Fallthrough f;
  f.set({});
  CHECK(f.through(lowered("example.org.")));
  CHECK(f.through(lowered(".")));
}

TEST_CASE("fallthrough with zones covers them and the names below", "[fall]") {
  Fallthrough f;
  f.set({"Example.ORG", "10.0.0.0/8"});
  CHECK(f.through(lowered("example.org.")));
  CHECK(f.through(lowered("a.b.example.org.")));
  CHECK(f.through(lowered("1.0.0.10.in-addr.arpa.")));
  CHECK_FALSE(f.through(lowered("example.net.")));
  CHECK_FALSE(f.through(lowered("xexample.org.")));
}

TEST_CASE("fallthrough whose zones are all invalid covers nothing", "[fall]") {
  Fallthrough f;
  f.set({"example..org"});
  CHECK(f.enabled());
  CHECK_FALSE(f.through(lowered("example.org.")));
}

TEST_CASE("a later fallthrough line replaces the earlier one", "[fall]") {
  Fallthrough f;
  f.set({"example.org"});
  f.set({"example.net"});
  CHECK(f.through(lowered("example.net.")));
  CHECK_FALSE(f.through(lowered("example.org.")));
}
