#include <catch2/catch.hpp>

#include "core/dns/types.h"
#include "plugins/acl/acl.h"
#include "tests/support/handler_test.h"
#include "tests/support/plugin_setup.h"

using namespace coredns;
using namespace coredns::testing;

namespace coredns::plugins {
const PluginDef& plugin_acl();
}

namespace {

std::string setup_error(const std::string& body) {
  return run_setup(plugins::plugin_acl(), "acl", body, {"example.org"}).error;
}

const std::string kPrefix = "plugin/acl: Corefile:2 - Error during parsing: ";

}  // namespace

TEST_CASE("acl setup accepts CoreDNS's forms") {
  for (const char* ok : {
           "acl",
           "acl {\n}",
           "acl example.org {\n block type A net 192.168.0.0/16\n}",
           "acl {\n ALLOW net 10.0.0.0/8 2001:db8::/32 ::1 127.0.0.1\n Block\n}",
           "acl {\n filter net * type AAAA MX\n drop type *\n}",
           "acl {\n block type * FOO\n}",  // the rest of a section after * is not looked at
           "acl {\n block type A type AAAA net 10.0.0.0/8 net ::/0\n}",
           "acl a.example.org {\n block\n}\nacl b.example.org {\n drop\n}",
       })
    CHECK(setup_error(ok) == "");
}

TEST_CASE("acl setup errors name the line and the token, in CoreDNS's words") {
  CHECK(setup_error("acl {\n blck type A\n}") ==
        kPrefix + "unexpected token \"blck\"; expect 'allow', 'block', 'filter' or 'drop'");
  CHECK(setup_error("acl {\n block A net 192.168.0.0/16\n}") ==
        kPrefix + "unexpected token \"A\"; expect 'type | net'");
  CHECK(setup_error("acl {\n block type net 192.168.0.0/16\n}") ==
        kPrefix + "no token specified in \"type\" section");
  CHECK(setup_error("acl {\n block type A net\n}") ==
        kPrefix + "no token specified in \"net\" section");
  CHECK(setup_error("acl {\n block type ABC net 192.168.0.0/16\n}") ==
        kPrefix + "unexpected token \"ABC\"; expect legal QTYPE");
  CHECK(setup_error("acl {\n block type a\n}") ==
        kPrefix + "unexpected token \"a\"; expect legal QTYPE");
  CHECK(setup_error("acl {\n block type A net 192.168.0/16\n}") ==
        kPrefix + "illegal CIDR notation \"192.168.0/16\"");
  CHECK(setup_error("acl {\n block type A net 192.168.0.0/33\n}") ==
        kPrefix + "illegal CIDR notation \"192.168.0.0/33\"");
  CHECK(setup_error("acl {\n block type A net 2001::85a3::8a2e:370:7334\n}") ==
        kPrefix + "illegal CIDR notation \"2001::85a3::8a2e:370:7334/128\"");
  CHECK(setup_error("acl {\n block net 10.0.0.1\n block net 10.0.0.300\n}") ==
        "plugin/acl: Corefile:3 - Error during parsing: illegal CIDR notation \"10.0.0.300/32\"");
}

TEST_CASE("acl zones: given ones normalised, else the block's, longest match") {
  corefile::Dispenser d(corefile::lex("acl Example.ORG a.example.org 10.0.0.0/8 {\n}"), "Corefile");
  auto rules = plugins::acl::parse_rules(d, corefile::normalize_keys({"."}, "53"));
  REQUIRE(rules.size() == 1);
  CHECK(rules[0].zone_texts ==
        std::vector<std::string>{"example.org.", "a.example.org.", "10.in-addr.arpa."});
  CHECK(rules[0].match_zone(name("x.a.example.org.")) == 1);
  CHECK(rules[0].match_zone(name("b.example.org.")) == 0);
  CHECK(rules[0].match_zone(name("example.com.")) == -1);

  corefile::Dispenser keys(corefile::lex("acl {\n}"), "Corefile");
  rules = plugins::acl::parse_rules(keys, corefile::normalize_keys({"example.net"}, "53"));
  CHECK(rules[0].zone_texts == std::vector<std::string>{"example.net."});
}
