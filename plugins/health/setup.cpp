#include <algorithm>
#include <fmt/format.h>
#include <thread>

#include "core/http/endpoints.h"
#include "core/plugin/registry.h"
#include "core/plugin/setup.h"
#include "core/util/log.h"
#include "plugins/health/health.h"

namespace coredns::plugins {
namespace {

// One lameduck per process, however many blocks enable health: the longest one asked for
// (CoreDNS would sleep once per block, one after the other).
struct Lameduck {
  Duration longest{0};
  bool registered = false;
};

void setup(SetupContext& ctx) {
  const health::Config config = health::parse(ctx.d);
  http::add_endpoint(ctx, config.address, "/health", &health::serve);
  auto& lameduck = ctx.instance_state().get<Lameduck>();
  lameduck.longest = std::max(lameduck.longest, config.lameduck);
  if (lameduck.registered) return;
  lameduck.registered = true;
  // Final shutdown only (SIGTERM, SIGINT), not reloads. The control loop blocks here while the
  // workers keep answering DNS and the HTTP thread keeps answering /health.
  ctx.lifecycle().final_shutdown.push_back([&lameduck] {
    if (lameduck.longest <= Duration::zero()) return;
    log::plugin_logger("health").info(
        fmt::format("Going into lameduck mode for {}", format_duration(lameduck.longest)));
    log::flush_thread();
    std::this_thread::sleep_for(lameduck.longest);
  });
}

}  // namespace

const PluginDef& plugin_health() {
  static const PluginDef def{setup};
  return def;
}

}  // namespace coredns::plugins
