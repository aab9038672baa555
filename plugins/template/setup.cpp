#include "core/plugin/registry.h"
#include "core/plugin/setup.h"
#include "plugins/template/template.h"

namespace coredns::plugins {
namespace {

void setup(SetupContext& c) {
  c.add_handler(std::make_shared<tmpl::TemplateHandler>(tmpl::parse_rules(c.d, c.zones())));
}

}  // namespace

const PluginDef& plugin_template() {
  static const PluginDef def{setup};
  return def;
}

}  // namespace coredns::plugins
