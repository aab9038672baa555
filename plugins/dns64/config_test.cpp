#include "plugins/dns64/config.h"

#include <catch2/catch.hpp>

#include "core/corefile/lexer.h"
#include "plugins/dns64/dns64.h"
#include "plugins/dns64/test_util.h"
#include "tests/support/plugin_setup.h"

namespace coredns::plugins {
const PluginDef& plugin_dns64();
}

using namespace coredns;
using namespace coredns::plugins::dns64;

namespace {

testing::SetupRun run(const std::string& body) {
  return testing::run_setup(plugins::plugin_dns64(), "dns64", body);
}

Config config(const std::string& body) {
  auto r = run(body);
  INFO(body << " -> " << r.error);
  REQUIRE(r.error.empty());
  REQUIRE(r.handlers.size() == 1);
  return r.handler<Dns64>()->config();
}

std::vector<std::string> warnings(const std::string& body) {
  corefile::Dispenser d(corefile::lex(body), "Corefile");
  REQUIRE(d.next());
  std::vector<std::string> w;
  parse_config(d, w);
  return w;
}

bool excludes(const Config& c, const char* v6) {
  uint8_t a[16];
  REQUIRE(inet_pton(AF_INET6, v6, a) == 1);
  return c.exclude.contains_v6(a);
}

}  // namespace

TEST_CASE("CoreDNS's setup vectors (CoreDNS's plugin/dns64/setup_test.go)") {
  const Config d = config("dns64");
  CHECK(d.prefix.to_text() == "64:ff9b::/96");
  CHECK_FALSE(d.allow_ipv4);
  CHECK_FALSE(d.translate_all);
  CHECK(config("dns64 64:dead::/96").prefix.to_text() == "64:dead::/96");
  CHECK(config("dns64 {\n prefix 64:ff9b::/32\n}").prefix.to_text() == "64:ff9b::/32");
  CHECK(config("dns64 {\n prefix 2002:c0a8:a88a::/48\n}").prefix.to_text() ==
        "2002:c0a8:a88a::/48");
  CHECK(config("dns64 {\n prefix 2002:ac12:b083::/96\n}").prefix.to_text() ==
        "2002:ac12:b083::/96");
  CHECK(config("dns64 {\n allow_ipv4\n}").allow_ipv4);
  CHECK(config("dns64 {\n translate_all\n}").translate_all);

  CHECK(run("dns64 {\n prefix 64:ff9b::/52\n}").error ==
        "plugin/dns64: Corefile:2 - Error during parsing: invalid prefix 64:ff9b::/52: RFC 6052 "
        "allows only the lengths 32, 40, 48, 56, 64 and 96");
  CHECK_FALSE(run("dns64 {\n prefix 64:ff9b::/104\n}").error.empty());
  CHECK(run("dns64 {\n prefix 8.8.8.8/24\n}").error ==
        "plugin/dns64: Corefile:2 - Error during parsing: invalid prefix 8.8.8.8/24: want an "
        "IPv6 CIDR such as 64:ff9b::/96");
  CHECK(run("dns64 foobar").error ==
        "plugin/dns64: Corefile:1 - Error during parsing: invalid prefix foobar: want an IPv6 "
        "CIDR such as 64:ff9b::/96");
  CHECK_FALSE(run("dns64 foobar {\n prefix 64:ff9b::/96\n}").error.empty());
  CHECK(run("dns64 {\n foobar\n}").error ==
        "plugin/dns64: Corefile:2 - Error during parsing: unknown property 'foobar'");
  CHECK(run("dns64 64:ff9b::/96 64:ff9b::/96").error ==
        "plugin/dns64: Corefile:1 - Error during parsing: Wrong argument count or unexpected "
        "line ending after '64:ff9b::/96'");
}

TEST_CASE("item 1: RFC 6052 lengths only, u-octet zero, errors with file:line") {
  CHECK(run("dns64 64:ff9b::/80").error ==
        "plugin/dns64: Corefile:1 - Error during parsing: invalid prefix 64:ff9b::/80: RFC 6052 "
        "allows only the lengths 32, 40, 48, 56, 64 and 96");
  CHECK(run("dns64 {\n\n prefix 2001:db8:0:0:100::/96\n}").error ==
        "plugin/dns64: Corefile:3 - Error during parsing: invalid prefix 2001:db8:0:0:100::/96: "
        "bits 64 to 71 must be zero (RFC 6052 §2.2)");
  for (const char* len : {"32", "40", "48", "56", "64", "96"})
    CHECK(run(std::string("dns64 2001:db8::/") + len).error.empty());
}

TEST_CASE("item 1: a prefix on the line and a block both apply, with a warning") {
  const Config c = config("dns64 2001:db8:64::/96 {\n translate_all\n allow_ipv4\n}");
  CHECK(c.prefix.to_text() == "2001:db8:64::/96");
  CHECK(c.translate_all);
  CHECK(c.allow_ipv4);
  const auto w = warnings("dns64 2001:db8:64::/96 {\n translate_all\n allow_ipv4\n}");
  REQUIRE(w.size() == 2);
  CHECK(w[0] ==
        "Corefile:2: translate_all is applied, but CoreDNS ignores it when the prefix is on the "
        "dns64 line");
  CHECK(w[1].rfind("Corefile:3: allow_ipv4 is applied", 0) == 0);
  // A one-line block is an argument error, as in CoreDNS; a block prefix still wins.
  CHECK(run("dns64 2001:db8:64::/96 { translate_all }").error ==
        "plugin/dns64: Corefile:1 - Error during parsing: Wrong argument count or unexpected line "
        "ending after '}'");
  CHECK_FALSE(run("dns64 { allow_ipv4 }").error.empty());
  CHECK(config("dns64 2001:db8:64::/96 {\n prefix 64:ff9b:1::/48\n}").prefix.to_text() ==
        "64:ff9b:1::/48");
  CHECK(warnings("dns64 {\n translate_all\n}").empty());
}

TEST_CASE("exclude: ::ffff:0:0/96 by default, replaced by the configured list") {
  const Config d = config("dns64");
  CHECK(excludes(d, "::ffff:1.2.3.4"));
  CHECK_FALSE(excludes(d, "2001:db8::1"));
  const Config c = config("dns64 {\n exclude 2001:db8::/32 fc00::/7\n exclude ::/128\n}");
  CHECK(excludes(c, "2001:db8::1"));
  CHECK(excludes(c, "fd00::1"));
  CHECK(excludes(c, "::"));
  CHECK_FALSE(excludes(c, "::ffff:1.2.3.4"));
  CHECK(run("dns64 {\n exclude\n}").error.find("Wrong argument count") != std::string::npos);
  CHECK(run("dns64 {\n exclude 10.0.0.0/8\n}").error ==
        "plugin/dns64: Corefile:2 - Error during parsing: invalid IPv6 prefix '10.0.0.0/8'");
}

TEST_CASE("allow_non_global, translate_all DOMAIN..., except, clients") {
  CHECK(config("dns64").skips_non_global());
  CHECK_FALSE(config("dns64 {\n allow_non_global\n}").skips_non_global());
  CHECK_FALSE(config("dns64 64:ff9b:1::/48").skips_non_global());
  CHECK(run("dns64 {\n allow_non_global yes\n}").error.find("Wrong argument count") !=
        std::string::npos);
  CHECK(run("dns64 {\n allow_ipv4 yes\n}").error.find("Wrong argument count") !=
        std::string::npos);

  const Config t = config("dns64 {\n translate_all lab.example svc.cluster.local\n}");
  CHECK_FALSE(t.translate_all);
  CHECK(t.translate_all_for(dns64test::name("www.lab.example.")));
  CHECK_FALSE(t.translate_all_for(dns64test::name("www.example.")));
  CHECK(config("dns64 {\n translate_all a.example\n translate_all\n}").translate_all);

  const Config e = config("dns64 {\n except corp.example\n except other.example\n}");
  CHECK(e.except.covers(dns64test::name("x.corp.example.")));
  CHECK(e.except.covers(dns64test::name("other.example.")));
  CHECK(run("dns64 {\n except\n}").error.find("Wrong argument count") != std::string::npos);

  const Config cl = config("dns64 {\n clients 10.0.0.0/8 2001:db8::/32\n}");
  CHECK(cl.clients.contains(dns64test::endpoint("10.0.0.1")));
  CHECK(run("dns64 {\n clients nonsense\n}").error ==
        "plugin/dns64: Corefile:2 - Error during parsing: invalid address prefix 'nonsense'");
  CHECK(warnings("dns64 {\n allow_ipv4\n clients ::/0\n}") ==
        std::vector<std::string>{
            "Corefile:2: allow_ipv4 has no effect: clients decides who is served"});
}

TEST_CASE("each dns64 occurrence in a block is a handler of its own") {
  auto r = run("dns64\ndns64 64:ff9b:1::/48");
  REQUIRE(r.error.empty());
  REQUIRE(r.handlers.size() == 2);
}
