// ready: the directive's forms and errors, and /ready's answers from the readiness probes.
#include <catch2/catch.hpp>

#include "core/corefile/lexer.h"
#include "plugins/ready/ready.h"
#include "tests/support/plugin_setup.h"

namespace coredns::plugins {
const PluginDef& plugin_ready();
}

using namespace coredns;
using plugins::ready::ReadyEndpoint;

namespace {

std::string error_of(const std::string& body) {
  return testing::run_setup(plugins::plugin_ready(), "ready", body).error;
}

std::string address(const std::string& body) {
  corefile::Dispenser d(corefile::lex(body), "Corefile");
  return plugins::ready::parse(d).address;
}

}  // namespace

TEST_CASE("ready defaults to :8181, takes one address, adds no handler") {
  CHECK(address("ready") == ":8181");
  CHECK(address("ready 127.0.0.1:18181") == "127.0.0.1:18181");
  auto run = testing::run_setup(plugins::plugin_ready(), "ready", "ready");
  CHECK(run.error.empty());
  CHECK(run.handlers.empty());
}

TEST_CASE("ready rejects bad addresses, extra arguments and a second line") {
  CHECK(error_of("ready localhost") == "plugin/ready: address localhost: missing port in address");
  CHECK(error_of("ready :1 :2") ==
        "plugin/ready: Corefile:1 - Error during parsing: Wrong argument count or unexpected line "
        "ending after ':2'");
  CHECK(error_of("ready\nready :8182") ==
        "plugin/ready: this plugin can only be used once per Server Block");
  // Like CoreDNS, ready reads no block: the '{' is taken for a second use.
  CHECK(error_of("ready {\n}") == "plugin/ready: this plugin can only be used once per Server Block");
}

TEST_CASE("/ready is 503 with the sorted names of the plugins not ready, then 200 OK") {
  ReadyEndpoint e;
  e.list = std::make_shared<ReadinessList>();
  e.blocks = {0, 2};
  std::atomic<bool> forward_ready{false};
  int asked = 0;
  e.list->add("forward", 0, [&] { return forward_ready.load(); });
  e.list->add("erratic", 2, [] { return false; });
  e.list->add("kubernetes", 1, [] { return false; });  // a block without ready: not counted
  e.list->add("cache", 0, [&] {
    ++asked;
    return true;
  });
  auto r = plugins::ready::serve(e);
  CHECK(r.status == 503);
  CHECK(r.body == "erratic,forward");
  forward_ready = true;
  CHECK(plugins::ready::serve(e).body == "erratic");
  e.blocks = {0};
  r = plugins::ready::serve(e);
  CHECK(r.status == 200);
  CHECK(r.body == "OK");
  CHECK(asked == 1);  // once ready, a plugin is not asked again
}

TEST_CASE("/ready without any probe is 200; at final shutdown it is 503 Shutting down") {
  ReadyEndpoint e;
  e.list = std::make_shared<ReadinessList>();
  e.blocks = {0};
  CHECK(plugins::ready::serve(e).status == 200);
  e.shutting_down = true;
  auto r = plugins::ready::serve(e);
  CHECK(r.status == 503);
  CHECK(r.body == "Shutting down");
}

TEST_CASE("Plugins report readiness through the setup context") {
  auto run = testing::run_setup(plugins::plugin_ready(), "ready", "ready");
  REQUIRE(run.error.empty());
  // A plugin set up later in the same block reports a probe.
  std::vector<corefile::ZoneAddress> zones;
  BlockOptions block;
  Lifecycle lifecycle;
  ProcessOptions options;
  SetupContext ctx("erratic", corefile::Dispenser({}, "Corefile"), zones, 0, block, lifecycle,
                   *run.instance_state, *run.process_state, options);
  report_readiness(ctx, [] { return false; });
  auto names = readiness_list(ctx)->not_ready([](size_t b) { return b == 0; });
  CHECK(names == std::vector<std::string>{"erratic"});
}
