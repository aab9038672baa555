#pragma once
// How long a reply is cached and what TTL its records get (CoreDNS's plugin/cache/cache.go and
// plugin/pkg/dnsutil/ttl.go).
#include <cstdint>

#include "core/dns/message.h"

namespace coredns::plugins::cache {

// What a reply without records, a delegation or a server error is cached for, at most.
inline constexpr int64_t kDefaultTtl = 5;

// A record's TTL; with `soa_minimum` an SOA counts min(TTL, MINIMUM), as RFC 2308 §5 wants for
// negative answers (CoreDNS takes the SOA record's TTL alone).
uint32_t record_ttl(const dns::MessageView& reply, const dns::RecordView& rr, bool soa_minimum);

// The smallest TTL over every record of the reply (the OPT aside), but no more than `max`;
// kDefaultTtl when there is no record.
int64_t smallest_ttl(const dns::MessageView& reply, int64_t max, bool soa_minimum = false);

// MINTTL is applied first, then the maximum: if MINTTL > max, the maximum wins.
constexpr int64_t clamp_ttl(int64_t ttl, int64_t min, int64_t max) {
  if (ttl < min) ttl = min;
  if (ttl > max) ttl = max;
  return ttl;
}

// How the records of a reply taken in get their TTLs: all the same (`flat`, CoreDNS's way), or
// each its own clamped to [min, max] (the `rrset_ttls` option).
struct TtlRule {
  uint32_t flat = 0;
  bool per_record = false;
  int64_t min = 0;
  int64_t max = 0;
  bool soa_minimum = false;

  uint32_t of(const dns::MessageView& reply, const dns::RecordView& rr) const {
    if (!per_record) return flat;
    return static_cast<uint32_t>(clamp_ttl(record_ttl(reply, rr, soa_minimum), min, max));
  }
};

}  // namespace coredns::plugins::cache
