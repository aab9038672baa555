#include <memory>

#include "core/plugin/registry.h"
#include "core/plugin/setup.h"
#include "core/util/duration.h"
#include "plugins/reload/watcher.h"

namespace coredns::plugins {
namespace {

using namespace std::chrono_literals;

// One watcher per configuration, however many blocks name `reload`: the last block's settings
// win (CoreDNS's watcher is process-wide).
struct ReloadState {
  reload::Settings settings;
  std::unique_ptr<reload::Watcher> watcher;
  bool hooked = false;
};

reload::Settings parse_settings(corefile::Dispenser& d) {
  reload::Settings s;
  // Only the first `reload` line of a block counts; later lines are ignored, as CoreDNS does.
  d.next();
  std::vector<std::string> args = d.remaining_args();
  if (args.size() > 2) throw d.arg_err();
  if (!args.empty()) s.interval = parse_duration(args[0]);
  if (args.size() > 1) s.jitter = parse_duration(args[1]);
  if (s.interval < 2s) throw ConfigError("interval value must be greater or equal to 2s");
  if (s.jitter.count() != 0 && s.jitter < 1s)
    throw ConfigError("jitter value must be 0 or greater or equal to 1s");
  if (s.jitter > s.interval / 2) s.jitter = s.interval / 2;
  return s;
}

void setup(SetupContext& c) {
  auto& state = c.instance_state().get<ReloadState>();
  state.settings = parse_settings(c.d);
  if (state.hooked) return;
  state.hooked = true;
  ReloadState* st = &state;
  c.lifecycle().started.push_back([st] {
    st->watcher = std::make_unique<reload::Watcher>(st->settings);
    st->watcher->start();
  });
  c.lifecycle().shutdown.push_back([st] { st->watcher.reset(); });
}

}  // namespace

const PluginDef& plugin_reload() {
  static const PluginDef def{setup};
  return def;
}

}  // namespace coredns::plugins
