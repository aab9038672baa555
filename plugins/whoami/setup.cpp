#include "core/plugin/registry.h"
#include "core/plugin/setup.h"
#include "plugins/whoami/whoami.h"

namespace coredns::plugins {
namespace {

void setup(SetupContext& c) {
  // `whoami` takes no arguments; it may appear on several lines of a block.
  while (c.d.next())
    if (c.d.next_arg()) throw c.d.arg_err();
  c.add_handler(std::make_shared<whoami::Whoami>());
}

}  // namespace

const PluginDef& plugin_whoami() {
  static const PluginDef def{setup};
  return def;
}

}  // namespace coredns::plugins
