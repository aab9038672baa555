// health: the directive's accepted forms and exact error texts (CoreDNS's plugin/health/setup.go),
// and the /health reply.
#include <catch2/catch.hpp>

#include "core/corefile/lexer.h"
#include "plugins/health/health.h"
#include "tests/support/plugin_setup.h"

namespace coredns::plugins {
const PluginDef& plugin_health();
}

using namespace coredns;
using namespace std::chrono_literals;

namespace {

std::string error_of(const std::string& body) {
  return testing::run_setup(plugins::plugin_health(), "health", body).error;
}

plugins::health::Config config(const std::string& body) {
  corefile::Dispenser d(corefile::lex(body), "Corefile");
  return plugins::health::parse(d);
}

}  // namespace

TEST_CASE("health defaults to :8080 without lameduck and adds no handler") {
  auto run = testing::run_setup(plugins::plugin_health(), "health", "health");
  CHECK(run.error.empty());
  CHECK(run.handlers.empty());
  CHECK(config("health").address == ":8080");
  CHECK(config("health").lameduck == 0s);
}

TEST_CASE("health takes an address and a lameduck duration; the last address wins") {
  CHECK(config("health 127.0.0.1:18080").address == "127.0.0.1:18080");
  CHECK(config("health [::1]:8080").address == "[::1]:8080");
  auto c = config("health :18080 {\n lameduck 2s\n}");
  CHECK(c.address == ":18080");
  CHECK(c.lameduck == 2s);
  CHECK(config("health :1\nhealth :2").address == ":2");
  CHECK(config("health {\n lameduck 1.5s\n}").lameduck == 1500ms);
  CHECK(error_of("health :18080 {\n lameduck 2s\n}").empty());
}

TEST_CASE("H3: an address without a port is Go's SplitHostPort error") {
  CHECK(error_of("health localhost") == "plugin/health: address localhost: missing port in address");
  CHECK(error_of("health ::1") == "plugin/health: address ::1: too many colons in address");
}

TEST_CASE("H4: two addresses are an argument error") {
  CHECK(error_of("health :1 :2") ==
        "plugin/health: Corefile:1 - Error during parsing: Wrong argument count or unexpected "
        "line ending after ':2'");
}

TEST_CASE("H5: lameduck needs one valid duration; other properties are unknown") {
  CHECK(error_of("health {\n lameduck\n}") ==
        "plugin/health: Corefile:2 - Error during parsing: Wrong argument count or unexpected "
        "line ending after 'lameduck'");
  CHECK(error_of("health {\n lameduck 1s 2s\n}") ==
        "plugin/health: Corefile:2 - Error during parsing: Wrong argument count or unexpected "
        "line ending after '2s'");
  CHECK(error_of("health {\n lameduck x\n}") ==
        "plugin/health: unable to parse lameduck duration value: 'x' : time: invalid duration "
        "\"x\"");
  CHECK(error_of("health {\n lameduck 5\n}") ==
        "plugin/health: unable to parse lameduck duration value: '5' : time: missing unit in "
        "duration \"5\"");
  CHECK(error_of("health {\n foo\n}") ==
        "plugin/health: Corefile:2 - Error during parsing: unknown property 'foo'");
}

TEST_CASE("/health answers 200 OK as text/plain for any method") {
  for (const char* method : {"GET", "HEAD", "POST"}) {
    auto reply = plugins::health::serve({method, "/health"});
    CHECK(reply.status == 200);
    CHECK(reply.body == "OK");
    CHECK(reply.content_type == "text/plain; charset=utf-8");
  }
}

TEST_CASE("Setup registers one lameduck for the final shutdown only") {
  auto run = testing::run_setup(plugins::plugin_health(), "health", "health {\n lameduck 0s\n}");
  CHECK(run.error.empty());
  CHECK(run.lifecycle.final_shutdown.size() == 1);
  CHECK(run.lifecycle.restart.size() == 1);  // the shared endpoints' reload bookkeeping
  Lifecycle::run(run.lifecycle.final_shutdown);  // 0s: returns at once
}
