#include "core/plugin/registry.h"
#include "core/plugin/setup.h"
#include "plugins/any/any.h"

namespace coredns::plugins {
namespace {

// `any` takes no arguments and no block. CoreDNS reads only the first line of a block.
void setup(SetupContext& c) {
  c.d.next();
  if (!c.d.remaining_args().empty()) throw c.d.arg_err();
  while (c.d.next_block()) throw c.d.err("unknown property '" + c.d.val() + "'");
  c.add_handler(std::make_shared<any::Any>());
}

}  // namespace

const PluginDef& plugin_any() {
  static const PluginDef def{setup};
  return def;
}

}  // namespace coredns::plugins
