#pragma once
// The rules of the `acl` directive (CoreDNS's acl syntax).
#include <cstdint>
#include <string>
#include <vector>

#include "core/corefile/dispenser.h"
#include "core/corefile/keys.h"
#include "core/dns/name.h"
#include "core/plugin/cidr.h"

namespace coredns::plugins::acl {

enum class Action { allow, block, filter, drop };

// One line of an acl block: an action for some query types from some sources.
struct Policy {
  Action action = Action::allow;
  bool all_types = false;
  std::vector<uint16_t> types;
  bool all_nets = false;
  CidrList nets;

  bool matches(uint16_t qtype, const Endpoint& source) const;
};

// One `acl` directive: its zones and its policies, first match wins.
struct Rule {
  std::vector<dns::Name> zones;    // lower-cased
  std::vector<std::string> zone_texts;  // the same, for the metrics' zone label
  std::vector<Policy> policies;

  // The longest zone `lowered` is in, or -1.
  int match_zone(const dns::Name& lowered) const;
};

// Every `acl` line of a server block, in Corefile order. `block_zones` are the block's keys,
// used when a line names no zone.
std::vector<Rule> parse_rules(corefile::Dispenser& d,
                              const std::vector<corefile::ZoneAddress>& block_zones);

}  // namespace coredns::plugins::acl
