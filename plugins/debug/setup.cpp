#include "core/plugin/registry.h"
#include "core/plugin/setup.h"
#include "core/util/log.h"

namespace coredns::plugins {
namespace {

// [DEBUG] output follows the configuration that is serving: on once it started, off when it
// stops (a reload to a Corefile without debug turns it off; a failed reload changes nothing).
struct DebugLogSwitch {
  bool registered = false;
};

void setup(SetupContext& c) {
  while (c.d.next())
    if (c.d.next_arg()) throw c.d.arg_err();
  c.block().debug = true;
  DebugLogSwitch& once = c.instance_state().get<DebugLogSwitch>();
  if (once.registered) return;
  once.registered = true;
  c.lifecycle().started.push_back([] { log::set_debug(true); });
  c.lifecycle().shutdown.push_back([] { log::set_debug(false); });
}

}  // namespace

const PluginDef& plugin_debug() {
  static const PluginDef def{setup};
  return def;
}

}  // namespace coredns::plugins
