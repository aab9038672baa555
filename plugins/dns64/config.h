#pragma once
// The `dns64` directive: CoreDNS's grammar (PREFIX, prefix, translate_all, allow_ipv4) and this
// project's additions (exclude, allow_non_global, except, clients, translate_all DOMAIN...).
#include <string>
#include <vector>

#include "core/corefile/dispenser.h"
#include "plugins/dns64/cidr.h"
#include "plugins/dns64/domain_set.h"
#include "plugins/dns64/prefix.h"

namespace coredns::plugins::dns64 {

struct Config {
  Prefix64 prefix = Prefix64::well_known();
  bool allow_ipv4 = false;
  bool allow_non_global = false;
  bool translate_all = false;       // for every name
  DomainSet translate_all_domains;  // or only for names under these
  DomainSet except;                 // names dns64 leaves alone
  CidrList clients;                 // when set, the only clients served (replaces the transport rule)
  CidrList exclude;                 // AAAA in these ranges count as absent; ::ffff:0:0/96 by default

  Config();
  bool translate_all_for(const dns::Name& lower) const {
    return translate_all || translate_all_domains.covers(lower);
  }
  // RFC 6052 §3.1: the Well-Known Prefix must not carry non-global IPv4 addresses.
  bool skips_non_global() const { return !allow_non_global && prefix.is_well_known(); }
};

// Parses one occurrence of the directive; `d` is on the word `dns64`. Throws ConfigError with
// file:line. Settings CoreDNS would silently ignore are applied, and described in `warnings`.
Config parse_config(corefile::Dispenser& d, std::vector<std::string>& warnings);

}  // namespace coredns::plugins::dns64
