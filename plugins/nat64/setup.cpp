#include <fmt/format.h>

#include "core/async/loop.h"
#include "core/plugin/registry.h"
#include "core/plugin/setup.h"
#include "core/util/error.h"
#include "core/util/log.h"
#include "plugins/nat64/directive.h"
#include "plugins/nat64/prefix_check.h"
#include "plugins/nat64/supervisor.h"

namespace coredns::plugins {
namespace {

// What one configuration wants, however many blocks name nat64.
struct Nat64Instance {
  std::vector<nat64::ChildSpec> wants;
  std::vector<std::string> warnings;  // dns64/nat64 prefix mismatches, logged when it serves
  bool hooked = false;
};

void setup(SetupContext& c) {
  auto& supervisor = c.process_state().get<nat64::Supervisor>();
  auto& inst = c.instance_state().get<Nat64Instance>();
  const std::string main_file = c.d.file();  // before next(): the Corefile's own path
  const auto lookup = nat64::BinaryLookup::of_process();
  const auto dns64 = nat64::dns64_prefixes(c.server_blocks(), main_file);
  while (c.d.next()) {
    nat64::ChildSpec spec = nat64::parse_directive(c.d, lookup);
    bool same = false;
    for (const auto& w : inst.wants) {
      if (w.identity == spec.identity) {
        same = true;  // the same child named twice (a snippet imported by two blocks)
        break;
      }
      if (w.tun_device == spec.tun_device)
        throw ConfigError(fmt::format("{} - Error during parsing: tun-device {} is already the one of the nat64 at {}",
                                      spec.where, spec.tun_device, w.where));
    }
    if (same) continue;
    for (auto& w : nat64::prefix_warnings(dns64, spec)) inst.warnings.push_back(std::move(w));
    inst.wants.push_back(std::move(spec));
  }
  supervisor.set_pending(inst.wants);
  if (inst.hooked) return;
  inst.hooked = true;
  Nat64Instance* st = &inst;
  nat64::Supervisor* sv = &supervisor;
  // Lifecycle callbacks run on the control loop (docs/architecture.md).
  c.lifecycle().restart.push_back([sv] { sv->set_pending({}); });
  c.lifecycle().restart_failed.push_back([sv, st] { sv->set_pending(st->wants); });
  c.lifecycle().started.push_back([sv, st] {
    for (const auto& w : st->warnings) log::plugin_logger("nat64").warning(w);
    sv->ensure(st->wants, async::current_loop());
  });
  c.lifecycle().shutdown.push_back([sv] { sv->retire_unwanted(); });
  c.lifecycle().final_shutdown.push_back([sv] { sv->stop_all_now(); });
}

}  // namespace

const PluginDef& plugin_nat64() {
  static const PluginDef def{setup};
  return def;
}

}  // namespace coredns::plugins
