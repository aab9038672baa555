#include "core/http/endpoints.h"
#include "core/plugin/registry.h"
#include "core/plugin/setup.h"
#include "core/plugin/listen_address.h"
#include "core/util/build_info.h"
#include "plugins/metrics/handler.h"
#include "plugins/metrics/metrics.h"

namespace coredns::plugins {
namespace {

// coredns_plugin_enabled describes the configuration serving now: the first block to take over
// clears what the previous configuration set.
struct PluginEnabled {
  bool cleared = false;
};

void setup(SetupContext& ctx) {
  const metrics::Config config = metrics::parse(ctx.d);
  metrics::Families& families = metrics::Families::get();
  const BuildInfo& build = build_info();
  families.build_info.with({build.version, build.revision, build.toolchain}).set(1);
  coredns::metrics::panic_counter();  // exported from the start, at 0

  std::vector<std::string> zones;
  for (const auto& za : ctx.zones()) zones.push_back(za.zone);
  ctx.add_handler(std::make_shared<metrics::PrometheusHandler>(zones));
  http::add_endpoint(ctx, config.address, "/metrics", &metrics::serve);

  // The chain is complete only once every setup ran; label the series when the block serves.
  const std::vector<Handler*>* chain = &ctx.chain();
  std::vector<std::string> hosts = ctx.block().bind_hosts;
  if (hosts.empty()) hosts.push_back("");
  std::vector<std::pair<std::string, std::string>> server_zones;  // (server label, zone)
  for (const auto& za : ctx.zones())
    if (za.transport != "unix")
      for (const auto& host : hosts)
        server_zones.emplace_back(ListenAddress{za.transport, host, za.port}.key(),
                                  za.zone);
  auto& enabled = ctx.instance_state().get<PluginEnabled>();
  ctx.lifecycle().started.push_back([chain, server_zones, &enabled, &families] {
    if (!enabled.cleared) {
      enabled.cleared = true;
      families.plugin_enabled.clear();
    }
    for (const auto& [server, zone] : server_zones)
      for (const Handler* h : *chain)
        families.plugin_enabled.with({std::string(h->name()), server, zone, ""}).set(1);
  });
}

}  // namespace

const PluginDef& plugin_metrics() {
  static const PluginDef def{setup};
  return def;
}

}  // namespace coredns::plugins
