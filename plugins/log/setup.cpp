#include "core/plugin/registry.h"
#include "core/plugin/setup.h"
#include "plugins/log/query_log.h"
#include "plugins/log/rules.h"

namespace coredns::plugins {
namespace {

void setup(SetupContext& c) {
  // Every `log` line of the block adds its rules to one handler, in the order written.
  c.add_handler(std::make_shared<querylog::QueryLog>(querylog::parse_rules(c.d)));
}

}  // namespace

const PluginDef& plugin_log() {
  static const PluginDef def{setup};
  return def;
}

}  // namespace coredns::plugins
