#include "core/plugin/registry.h"
#include "core/plugin/setup.h"
#include "plugins/local/local.h"

namespace coredns::plugins {
namespace {

void setup(SetupContext& c) {
  bool prefix = true;
  while (c.d.next()) {
    if (!c.d.remaining_args().empty()) throw c.d.arg_err();
    while (c.d.next_block()) {
      if (c.d.val() != "localhost_prefix") throw c.d.err("unknown property '" + c.d.val() + "'");
      auto args = c.d.remaining_args();
      if (args.size() != 1) throw c.d.arg_err();
      if (args[0] != "on" && args[0] != "off")
        throw c.d.err("localhost_prefix expects 'on' or 'off', got \"" + args[0] + "\"");
      prefix = args[0] == "on";
    }
  }
  c.add_handler(std::make_shared<local::Local>(prefix));
}

}  // namespace

const PluginDef& plugin_local() {
  static const PluginDef def{setup};
  return def;
}

}  // namespace coredns::plugins
