#include "core/plugin/registry.h"
#include "core/plugin/setup.h"
#include "plugins/cache/cache.h"
#include "plugins/cache/config.h"

namespace coredns::plugins {
namespace {

// The cache lives in the handler: a reload builds a new, empty one, as CoreDNS does.
void setup(SetupContext& c) {
  c.add_handler(std::make_shared<cache::Cache>(cache::parse_cache(c.d, c.zones())));
}

}  // namespace

const PluginDef& plugin_cache() {
  static const PluginDef def{setup};
  return def;
}

}  // namespace coredns::plugins
