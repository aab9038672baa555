#pragma once
// CoreDNS's `fallthrough [ZONES...]` (plugin/pkg/fall): which query names a plugin passes on
// when it has no answer. No `fallthrough` line: none; a bare `fallthrough`: every name; with
// zones: names equal to or below one of them (normalised as plugin zones; invalid ones are
// dropped, and if every one is, no name falls through).
#include <string>
#include <vector>

#include "core/dns/name.h"
#include "core/plugin/zones.h"

namespace coredns {

class Fallthrough {
 public:
  // Applies a `fallthrough` line's arguments; a later line replaces an earlier one.
  void set(const std::vector<std::string>& args);
  bool enabled() const { return enabled_; }
  // True if `lowered` (a lower-cased query name) falls through.
  bool through(const dns::Name& lowered) const { return enabled_ && zones_.contains(lowered); }

 private:
  bool enabled_ = false;
  ZoneSet zones_;
};

}  // namespace coredns
