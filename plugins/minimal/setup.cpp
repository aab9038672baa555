#include "core/plugin/registry.h"
#include "core/plugin/setup.h"
#include "plugins/minimal/minimal.h"

namespace coredns::plugins {
namespace {

void setup(SetupContext& c) {
  while (c.d.next())
    if (c.d.next_arg()) throw c.d.arg_err();
  c.add_handler(std::make_shared<minimal::Minimal>());
}

}  // namespace

const PluginDef& plugin_minimal() {
  static const PluginDef def{setup};
  return def;
}

}  // namespace coredns::plugins
