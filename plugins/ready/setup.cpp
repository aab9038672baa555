#include <map>

#include "core/http/endpoints.h"
#include "core/plugin/registry.h"
#include "core/plugin/setup.h"
#include "plugins/ready/ready.h"

namespace coredns::plugins {
namespace {

// The /ready addresses of one configuration.
struct ReadyEndpoints {
  std::map<std::string, std::shared_ptr<ready::ReadyEndpoint>> by_address;
};

void setup(SetupContext& ctx) {
  const ready::Config config = ready::parse(ctx.d);
  auto& mine = ctx.instance_state().get<ReadyEndpoints>();
  const bool first = mine.by_address.empty();
  auto& endpoint = mine.by_address[config.address];
  if (!endpoint) {
    endpoint = std::make_shared<ready::ReadyEndpoint>();
    endpoint->list = readiness_list(ctx);
    // The handler owns what it reads: it may still run while this configuration is torn down.
    http::add_endpoint(ctx, config.address, "/ready",
                       [endpoint](const http::Request&) { return ready::serve(*endpoint); });
  }
  endpoint->blocks.push_back(ctx.block_index());
  if (!first) return;
  ctx.lifecycle().final_shutdown.push_back([&mine] {
    for (auto& [address, e] : mine.by_address) e->shutting_down = true;
  });
}

}  // namespace

const PluginDef& plugin_ready() {
  static const PluginDef def{setup};
  return def;
}

}  // namespace coredns::plugins
