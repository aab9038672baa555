#include "core/plugin/registry.h"
#include "core/plugin/setup.h"
#include "core/util/go_quote.h"
#include "plugins/bind/addresses.h"
#include "plugins/bind/interfaces.h"

namespace coredns::plugins {
namespace {

using bind::BindLine;

// One `bind ADDRESS|IFACE ... [{ except ADDRESS|IFACE ... }]` line; the cursor is on `bind`.
BindLine parse_line(corefile::Dispenser& d) {
  BindLine line;
  line.targets = d.remaining_args();
  if (line.targets.empty()) throw ConfigError("at least one address or interface name is expected");
  while (d.next_block()) {
    if (d.val() != "except") throw ConfigError("invalid option " + go_quote(d.val()));
    line.except = d.remaining_args();
    if (line.except.empty())
      throw ConfigError("at least one address or interface must be given to except subdirective");
  }
  return line;
}

void setup(SetupContext& c) {
  const std::vector<bind::Interface> interfaces = bind::system_interfaces();
  std::vector<std::string> hosts;
  while (c.d.next()) {
    std::vector<std::string> more = bind::listen_hosts(parse_line(c.d), interfaces);
    hosts.insert(hosts.end(), more.begin(), more.end());
  }
  c.block().bind_hosts = std::move(hosts);
  c.block().bind_used = true;
}

}  // namespace

const PluginDef& plugin_bind() {
  static const PluginDef def{setup};
  return def;
}

}  // namespace coredns::plugins
