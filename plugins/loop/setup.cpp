#include <memory>

#include "core/plugin/registry.h"
#include "core/plugin/setup.h"
#include "plugins/loop/loop.h"

namespace coredns::plugins {
namespace {

void setup(SetupContext& c) {
  c.d.next();
  if (c.d.next_arg()) throw c.d.arg_err();
  if (c.d.next()) throw ConfigError("this plugin can only be used once per Server Block");

  // Only the block's first zone is probed, on its first listen address.
  std::string zone = ".";
  loop::Target target;
  if (!c.zones().empty() && c.zones()[0].transport != "unix" && !c.zones()[0].zone.empty()) {
    zone = c.zones()[0].zone;
    target.port = c.zones()[0].port;
  }
  if (target.port.empty()) target.port = c.options().default_port;
  if (!c.block().bind_hosts.empty()) target.host = c.block().bind_hosts[0];

  auto h = std::make_shared<loop::Loop>(zone, loop::probe_name(zone), target);
  c.lifecycle().started.push_back([h] { h->start(); });
  c.lifecycle().shutdown.push_back([h] { h->stop(); });
  c.add_handler(h);
}

}  // namespace

const PluginDef& plugin_loop() {
  static const PluginDef def{setup};
  return def;
}

}  // namespace coredns::plugins
