#include "core/plugin/readiness.h"

#include <algorithm>

#include "core/plugin/setup.h"

namespace coredns {
namespace {

// The configuration's list, shared with the HTTP handlers that read it.
struct ReadinessHolder {
  std::shared_ptr<ReadinessList> list = std::make_shared<ReadinessList>();
};

}  // namespace

void ReadinessList::add(std::string plugin, size_t block, std::function<bool()> probe) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.push_back({std::move(plugin), block, std::move(probe)});
}

std::vector<std::string> ReadinessList::not_ready(
    const std::function<bool(size_t block)>& covered) {
  std::vector<std::string> names;
  std::lock_guard<std::mutex> lock(mu_);
  for (Entry& e : entries_) {
    if (e.ready || !covered(e.block)) continue;
    if (e.probe())
      e.ready = true;
    else
      names.push_back(e.plugin);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::shared_ptr<ReadinessList> readiness_list(SetupContext& ctx) {
  return ctx.instance_state().get<ReadinessHolder>().list;
}

void report_readiness(SetupContext& ctx, std::function<bool()> probe) {
  readiness_list(ctx)->add(ctx.directive(), ctx.block_index(), std::move(probe));
}

}  // namespace coredns
