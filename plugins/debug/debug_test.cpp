// The debug directive (CoreDNS's plugin/debug/README.md): no arguments; it marks the block and
// switches [DEBUG] output on for as long as its configuration serves.
#include <catch2/catch.hpp>

#include "core/util/log.h"
#include "tests/support/plugin_setup.h"

namespace coredns::plugins {
const PluginDef& plugin_debug();
}

using coredns::plugins::plugin_debug;
using coredns::testing::run_setup;

TEST_CASE("debug takes no arguments and marks the block") {
  auto r = run_setup(plugin_debug(), "debug", "debug");
  CHECK(r.error == "");
  CHECK(r.block.debug);
  CHECK(r.handlers.empty());
}

TEST_CASE("debug may appear on several lines") {
  auto r = run_setup(plugin_debug(), "debug", "debug\ndebug");
  CHECK(r.error == "");
  CHECK(r.block.debug);
}

TEST_CASE("debug with an argument is an argument error") {
  CHECK(run_setup(plugin_debug(), "debug", "debug yes").error ==
        "plugin/debug: Corefile:1 - Error during parsing: Wrong argument count or unexpected line "
        "ending after 'yes'");
  CHECK(run_setup(plugin_debug(), "debug", "debug\ndebug 1").error ==
        "plugin/debug: Corefile:2 - Error during parsing: Wrong argument count or unexpected line "
        "ending after '1'");
  CHECK(run_setup(plugin_debug(), "debug", "debug {\n}").error ==
        "plugin/debug: Corefile:1 - Error during parsing: Unexpected token '{', expecting "
        "argument");
}

TEST_CASE("debug output is on while the configuration serves") {
  auto r = run_setup(plugin_debug(), "debug", "debug");
  coredns::log::set_debug(false);
  coredns::Lifecycle::run(r.lifecycle.started);
  CHECK(coredns::log::debug_enabled());
  coredns::Lifecycle::run(r.lifecycle.shutdown);
  CHECK_FALSE(coredns::log::debug_enabled());
}
