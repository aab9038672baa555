#include <limits.h>
#include <unistd.h>

#include "core/plugin/registry.h"
#include "core/plugin/setup.h"
#include "plugins/chaos/chaos.h"

namespace coredns::plugins {
namespace {

std::string host_name() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

void setup(SetupContext& c) {
  c.add_handler(std::make_shared<chaos::Chaos>(chaos::parse_config(c.d, host_name())));
}

}  // namespace

const PluginDef& plugin_chaos() {
  static const PluginDef def{setup};
  return def;
}

}  // namespace coredns::plugins
