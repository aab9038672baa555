#include "core/plugin/zones.h"

#include "core/corefile/reverse_zones.h"

namespace coredns {

std::vector<std::string> normalize_host_exact(std::string_view text) {
  std::string_view host = text;
  if (auto sep = host.find("://"); sep != std::string_view::npos) host = host.substr(sep + 3);
  // A port follows the last ':' unless the text is an IPv6 network (which has several).
  if (auto colon = host.rfind(':');
      colon != std::string_view::npos && host.find(':') == colon)
    host = host.substr(0, colon);
  if (auto zones = corefile::reverse_zones(host)) return *zones;
  dns::Name n;
  if (host.empty() || !dns::Name::from_text(host, n)) return {};
  n.to_lower();
  return {n.to_text()};
}

std::vector<std::string> origins_from_args_or_block(
    const std::vector<std::string>& args, const std::vector<corefile::ZoneAddress>& block) {
  std::vector<std::string> out;
  if (args.empty()) {
    for (const auto& z : block) out.push_back(z.zone);
    return out;
  }
  for (const auto& a : args)
    for (auto& z : normalize_host_exact(a)) out.push_back(std::move(z));
  return out;
}

ZoneSet::ZoneSet(const std::vector<std::string>& zones) {
  for (const auto& z : zones) {
    dns::Name n;
    if (!dns::Name::from_text(z, n)) continue;
    n.to_lower();
    has_root_ = has_root_ || n.is_root();
    zones_.push_back(n);
  }
}

bool ZoneSet::contains(const dns::Name& lowered) const {
  if (has_root_) return true;
  for (const auto& z : zones_)
    if (lowered.is_subdomain_of(z)) return true;
  return false;
}

}  // namespace coredns
