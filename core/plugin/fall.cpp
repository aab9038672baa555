#include "core/plugin/fall.h"

namespace coredns {

void Fallthrough::set(const std::vector<std::string>& args) {
  enabled_ = true;
  if (args.empty()) {
    zones_ = ZoneSet({"."});
    return;
  }
  std::vector<std::string> zones;
  for (const auto& a : args)
    for (auto& z : normalize_host_exact(a)) zones.push_back(std::move(z));
  zones_ = ZoneSet(zones);
}

}  // namespace coredns
