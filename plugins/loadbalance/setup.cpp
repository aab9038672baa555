#include "core/plugin/registry.h"
#include "core/plugin/setup.h"
#include "plugins/loadbalance/loadbalance.h"

namespace coredns::plugins {
namespace {

void setup(SetupContext& c) {
  loadbalance::Config config = loadbalance::parse_config(c.d);
  std::shared_ptr<loadbalance::WeightFile> weights;
  if (config.weighted) {
    weights = std::make_shared<loadbalance::WeightFile>(config.weight_path, config.reload);
    weights->load_initial();
    c.lifecycle().startup.push_back([weights] { weights->start(); });
    c.lifecycle().shutdown.push_back([weights] { weights->stop(); });
  }
  c.add_handler(std::make_shared<loadbalance::LoadBalance>(std::move(config.prefer), weights));
}

}  // namespace

const PluginDef& plugin_loadbalance() {
  static const PluginDef def{setup};
  return def;
}

}  // namespace coredns::plugins
