#pragma once
// The `log` directive: each line gives one rule per NAME, sharing a format and a class filter;
// the first rule whose name covers the query decides (CoreDNS's plugin/log/README.md).
#include <cstdint>
#include <string>
#include <vector>

#include "core/corefile/dispenser.h"
#include "core/dns/name.h"
#include "core/dns/response_type.h"
#include "plugins/log/format.h"

namespace coredns::plugins::querylog {

// Bits of the response classes a rule logs.
enum ClassMask : uint8_t {
  kSuccess = 1 << 0,
  kDenial = 1 << 1,
  kError = 1 << 2,
  kAllClasses = kSuccess | kDenial | kError,
};

uint8_t class_bit(dns::ResponseClass c);

struct Rule {
  std::string name;   // as configured, made fully qualified
  dns::Name zone;     // lower-cased, for matching
  bool matchable = false;  // false if `name` is not a valid domain name
  Format format;
  uint8_t classes = kAllClasses;

  bool covers(const dns::Name& qname_lower) const {
    return matchable && qname_lower.is_subdomain_of(zone);
  }
};

// Reads every `log` line of a block. Throws ConfigError with CoreDNS's texts.
std::vector<Rule> parse_rules(corefile::Dispenser& d);

}  // namespace coredns::plugins::querylog
