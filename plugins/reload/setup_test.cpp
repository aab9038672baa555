// reload's directive, as CoreDNS's plugin/reload/setup.go reads it.
#include <catch2/catch.hpp>

#include "plugins/reload/watcher.h"
#include "tests/support/plugin_setup.h"

namespace coredns::plugins {
const PluginDef& plugin_reload();
}

using coredns::plugins::plugin_reload;
using coredns::testing::run_setup;
using namespace std::chrono_literals;

namespace {
std::string error_of(const std::string& body) {
  return run_setup(plugin_reload(), "reload", body).error;
}
}  // namespace

TEST_CASE("reload accepts an interval and a jitter") {
  CHECK(error_of("reload") == "");
  CHECK(error_of("reload 2s 0s") == "");
  CHECK(error_of("reload 10s 8s") == "");
  CHECK(error_of("reload 1m") == "");
}

TEST_CASE("reload rejects what CoreDNS rejects, with its texts") {
  CHECK(error_of("reload 1s") == "plugin/reload: interval value must be greater or equal to 2s");
  CHECK(error_of("reload 2s 500ms") ==
        "plugin/reload: jitter value must be 0 or greater or equal to 1s");
  CHECK(error_of("reload 1s 2s 3s") ==
        "plugin/reload: Corefile:1 - Error during parsing: Wrong argument count or unexpected "
        "line ending after '3s'");
  CHECK(error_of("reload abc") == "plugin/reload: time: invalid duration \"abc\"");
}

TEST_CASE("a second reload line in the block is ignored") {
  CHECK(error_of("reload 5s\nreload bogus") == "");
}

TEST_CASE("the check period is the interval plus a jitter draw in [-J/2, +J/2)") {
  using coredns::plugins::reload::check_period;
  CHECK(check_period({2s, 0s}) == 2s);
  for (int i = 0; i < 200; ++i) {
    auto p = check_period({10s, 5s});
    CHECK(p >= 7500ms);
    CHECK(p < 12500ms);
  }
}

TEST_CASE("the fingerprint ignores trailing comments and whitespace, but not line moves") {
  using coredns::plugins::reload::corefile_fingerprint;
  const std::string base = ". {\n    whoami\n}\n";
  CHECK(corefile_fingerprint(base, "Corefile") ==
        "bab5ffc31ae95e2629d026a94194d93d3847bac16a69fbecc62594a0effaf1dd126656bd54092f2eae013b71"
        "fa4df7e3966525a754532358ea6fb6b8da30bc90");
  CHECK(corefile_fingerprint(". {\n    whoami   # a comment\n}\n", "Corefile") ==
        corefile_fingerprint(base, "Corefile"));
  CHECK(corefile_fingerprint("\n" + base, "Corefile") != corefile_fingerprint(base, "Corefile"));
}
