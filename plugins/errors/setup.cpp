#include "core/plugin/registry.h"
#include "core/plugin/setup.h"
#include "core/util/log.h"
#include "plugins/errors/config.h"
#include "plugins/errors/errors.h"

namespace coredns::plugins {
namespace {

void setup(SetupContext& c) {
  errors::ErrorsConfig config = errors::parse_config(c.d);
  if (config.stacktrace) c.block().stacktrace = true;
  const errors::Consolidator::Printer print = [](log::Level level, std::string_view text) {
    log::write(level, "errors", text);
  };
  std::shared_ptr<errors::Consolidator> consolidator;
  if (!config.consolidate.empty()) {
    consolidator = std::make_shared<errors::Consolidator>(std::move(config.consolidate), print);
    // Pending counts are printed when this configuration stops (reload or exit); errors after
    // that are printed one by one.
    c.lifecycle().shutdown.push_back([consolidator] { consolidator->flush_and_stop(); });
  }
  c.add_handler(std::make_shared<errors::Errors>(std::move(consolidator), print));
}

}  // namespace

const PluginDef& plugin_errors() {
  static const PluginDef def{setup};
  return def;
}

}  // namespace coredns::plugins
