#include "core/plugin/registry.h"
#include "core/plugin/setup.h"
#include "plugins/acl/acl.h"

namespace coredns::plugins {
namespace {

void setup(SetupContext& c) {
  auto rules = acl::parse_rules(c.d, c.zones());
  c.add_handler(std::make_shared<acl::Acl>(std::move(rules)));
}

}  // namespace

const PluginDef& plugin_acl() {
  static const PluginDef def{setup};
  return def;
}

}  // namespace coredns::plugins
