#pragma once
// Zone lists of plugin directives, as CoreDNS's plugin.Host / plugin.Zones helpers: normalise
// the zones a directive names (or take the server block's), and match query names against them.
#include <string>
#include <string_view>
#include <vector>

#include "core/corefile/keys.h"
#include "core/dns/name.h"

namespace coredns {

// plugin.Host(text).NormalizeExact(): an optional scheme and port are dropped, a reverse CIDR
// stands for its reverse zones, anything else is a name, lower-cased and fully qualified.
// Empty when the text is no valid name.
std::vector<std::string> normalize_host_exact(std::string_view text);

// plugin.OriginsFromArgsOrServerBlock: the zones named by `args` (invalid ones silently left
// out, as CoreDNS does), or the server block's zones when there are no args.
std::vector<std::string> origins_from_args_or_block(
    const std::vector<std::string>& args, const std::vector<corefile::ZoneAddress>& block);

// A set of zones a lower-cased query name is tested against (plugin.Zones.Matches != "").
class ZoneSet {
 public:
  ZoneSet() = default;
  explicit ZoneSet(const std::vector<std::string>& zones);
  // True if `lowered` is one of the zones or below one of them.
  bool contains(const dns::Name& lowered) const;
  bool empty() const { return zones_.empty(); }

 private:
  std::vector<dns::Name> zones_;
  bool has_root_ = false;
};

}  // namespace coredns
