#pragma once
// Runs one plugin's setup the way the core does for one server block, for plugin unit tests:
//
//   auto r = coredns::testing::run_setup(plugin_reload(), "reload", "reload 2s 1s");
//   CHECK(r.error == "");
//   CHECK(coredns::testing::run_setup(plugin_reload(), "reload", "reload 1s").error ==
//         "plugin/reload: interval value must be greater or equal to 2s");
//
// `body` is the text of the directive's lines inside the block (every occurrence); errors come
// back with the "plugin/NAME: " prefix the core adds.
#include <memory>
#include <string>
#include <vector>

#include "core/corefile/dispenser.h"
#include "core/corefile/keys.h"
#include "core/corefile/lexer.h"
#include "core/plugin/registry.h"
#include "core/plugin/setup.h"
#include "core/util/error.h"

namespace coredns::testing {

struct SetupRun {
  std::string error;  // "" when setup accepted the directive
  std::vector<std::shared_ptr<Handler>> handlers;
  BlockOptions block;
  Lifecycle lifecycle;
  std::shared_ptr<SharedState> instance_state = std::make_shared<SharedState>();
  std::shared_ptr<SharedState> process_state = std::make_shared<SharedState>();
  std::vector<corefile::ZoneAddress> zones;

  // The first handler, cast to the plugin's type.
  template <typename T>
  T* handler() const {
    return handlers.empty() ? nullptr : dynamic_cast<T*>(handlers.front().get());
  }
};

inline SetupRun run_setup(const PluginDef& def, const std::string& directive,
                          const std::string& body, std::vector<std::string> keys = {"."}) {
  SetupRun run;
  run.zones = corefile::normalize_keys(keys, "53");
  ProcessOptions options;
  SetupContext ctx(directive, corefile::Dispenser(corefile::lex(body), "Corefile"), run.zones, 0,
                   run.block, run.lifecycle, *run.instance_state, *run.process_state, options);
  try {
    def.setup(ctx);
  } catch (const ConfigError& e) {
    run.error = "plugin/" + directive + ": " + e.what();
  }
  run.handlers = ctx.handlers();
  return run;
}

}  // namespace coredns::testing
