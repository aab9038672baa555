// The hosts directive's syntax and CoreDNS's error texts (setup_test vectors).
#include <catch2/catch.hpp>

#include "core/plugin/registry.h"
#include "plugins/hosts/hosts.h"
#include "tests/support/plugin_setup.h"

namespace coredns::plugins {
const PluginDef& plugin_hosts();
}

using namespace coredns;
using coredns::testing::run_setup;
using plugins::hosts::Hosts;

namespace {

std::string error_of(const std::string& body) {
  return run_setup(plugins::plugin_hosts(), "hosts", body).error;
}

const plugins::hosts::Options& options_of(const coredns::testing::SetupRun& r) {
  REQUIRE(r.error.empty());
  REQUIRE(r.handler<Hosts>());
  return r.handler<Hosts>()->options();
}

}  // namespace

TEST_CASE("hosts defaults: /etc/hosts, the block's zones, ttl 3600, reload 5s, reverse") {
  auto r = run_setup(plugins::plugin_hosts(), "hosts", "hosts", {"example.org"});
  const auto& o = options_of(r);
  CHECK(o.path == "/etc/hosts");
  CHECK(o.zones == std::vector<std::string>{"example.org."});
  CHECK(o.ttl == 3600);
  CHECK(o.reload == std::chrono::seconds(5));
  CHECK(o.reverse);
  CHECK_FALSE(o.fall.enabled());
  CHECK(r.lifecycle.startup.size() == 1);
  CHECK(r.lifecycle.shutdown.size() == 1);
}

TEST_CASE("hosts FILE ZONES normalises the zones, reverse CIDRs included") {
  auto r = run_setup(plugins::plugin_hosts(), "hosts",
                     "hosts /etc/hosts miek.nl 10.0.0.9/8 {\n fallthrough\n}");
  const auto& o = options_of(r);
  CHECK(o.zones == std::vector<std::string>{"miek.nl.", "10.in-addr.arpa."});
  CHECK(o.fall.enabled());
}

TEST_CASE("hosts block options") {
  auto r = run_setup(plugins::plugin_hosts(), "hosts",
                     "hosts /tmp {\n 10.0.0.1 example.org\n ttl 60\n reload 1m\n no_reverse\n"
                     " fallthrough example.org\n fallthrough_unsupported\n}");
  const auto& o = options_of(r);
  CHECK(o.path == "/tmp");
  CHECK(o.inline_text == "10.0.0.1 example.org\n");
  CHECK(o.ttl == 60);
  CHECK(o.reload == std::chrono::minutes(1));
  CHECK_FALSE(o.reverse);
  CHECK(o.fall_unsupported);
  CHECK(r.handler<Hosts>()->inline_size() == 1);
}

TEST_CASE("fallthrough_unsupported may come before fallthrough") {
  CHECK(error_of("hosts {\n fallthrough_unsupported\n fallthrough example.org\n}") == "");
}

TEST_CASE("hosts error texts are CoreDNS's") {
  CHECK(error_of("hosts\nhosts") ==
        "plugin/hosts: this plugin can only be used once per Server Block");
  CHECK(error_of("hosts {\n ttl\n}") ==
        "plugin/hosts: Corefile:2 - Error during parsing: ttl needs a time in second");
  CHECK(error_of("hosts {\n ttl abc\n}") ==
        "plugin/hosts: Corefile:2 - Error during parsing: ttl needs a number of second");
  for (const char* bad : {"0", "-5", "65536"})
    CHECK(error_of(std::string("hosts {\n ttl ") + bad + "\n}") ==
          "plugin/hosts: Corefile:2 - Error during parsing: ttl provided is invalid");
  CHECK(error_of("hosts {\n reload\n}") ==
        "plugin/hosts: Corefile:2 - Error during parsing: reload needs a duration (zero "
        "seconds to disable)");
  CHECK(error_of("hosts {\n reload 5\n}") ==
        "plugin/hosts: Corefile:2 - Error during parsing: invalid duration for reload '5'");
  CHECK(error_of("hosts {\n reload -1s\n}") ==
        "plugin/hosts: Corefile:2 - Error during parsing: invalid negative duration for reload "
        "'-1s'");
  CHECK(error_of("hosts {\n fallthrough\n 10.0.0.1 example.org\n}") ==
        "plugin/hosts: Corefile:3 - Error during parsing: unknown property '10.0.0.1'");
  CHECK(error_of("hosts {\n fallthrough_unsupported foo\n fallthrough\n}") ==
        "plugin/hosts: Corefile:2 - Error during parsing: Wrong argument count or unexpected "
        "line ending after 'foo'");
  CHECK(error_of("hosts {\n fallthrough_unsupported\n}").find(
            "Error during parsing: fallthrough_unsupported requires fallthrough") !=
        std::string::npos);
}

TEST_CASE("no_reverse takes no argument: the next word is read as a block entry") {
  CHECK(error_of("hosts {\n fallthrough\n no_reverse foo\n}") ==
        "plugin/hosts: Corefile:3 - Error during parsing: unknown property 'foo'");
  CHECK(error_of("hosts {\n no_reverse foo\n}") == "");
}

TEST_CASE("reload 0 disables the periodic check") {
  auto r = run_setup(plugins::plugin_hosts(), "hosts", "hosts {\n reload 0\n}");
  CHECK(options_of(r).reload.count() == 0);
}
