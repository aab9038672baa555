#pragma once
// The `cache` directive as CoreDNS reads it (CoreDNS's plugin/cache/setup.go). Parsing is kept
// apart from the handler so that every accepted and rejected form can be tested without a server.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/corefile/dispenser.h"
#include "core/corefile/keys.h"
#include "core/util/duration.h"

namespace coredns::plugins::cache {

using namespace std::chrono_literals;

struct CacheConfig {
  std::vector<std::string> zones;  // normalised; queries outside them bypass the cache

  // Capacities as written; each of the 256 shards holds max(CAP / 256, 4) items.
  int64_t success_capacity = 10000;
  int64_t denial_capacity = 10000;
  // Maximum and minimum TTLs, in seconds.
  int64_t success_ttl = 3600;
  int64_t success_min_ttl = 5;
  int64_t denial_ttl = 1800;
  int64_t denial_min_ttl = 5;

  int64_t prefetch = 0;  // AMOUNT: hits within `prefetch_duration`; 0 is off
  Duration prefetch_duration = 1min;
  int prefetch_percentage = 10;

  bool serve_stale = false;  // the option was given (serve_stale_policy needs it)
  Duration stale_up_to = 0s;
  bool verify = false;  // refresh mode: verify, else immediate
  Duration verify_timeout = 0s;
  uint32_t stale_response_ttl = 0;  // seconds
  Duration failure_recheck = 0s;
  bool prefer_positive = false;  // serve_stale_policy prefer_positive

  Duration servfail = 5s;
  std::vector<std::string> disable_success;  // normalised zones
  std::vector<std::string> disable_denial;
  bool keepttl = false;

  // Beyond CoreDNS, each off by default (plugins/cache/README.md).
  bool rrset_ttls = false;      // each record keeps its own (clamped) TTL instead of the smallest
  bool rfc2308 = false;         // negative TTL: min(SOA TTL, SOA MINIMUM), RFC 2308 §5
  bool cache_failures = false;  // the server's SERVFAIL (no upstream answered) is cached too
};

// Parses every `cache` occurrence of a server block (there may be only one); the dispenser is
// positioned before the directive. Throws ConfigError with CoreDNS's text (the core adds
// "plugin/cache: ").
CacheConfig parse_cache(corefile::Dispenser& d, const std::vector<corefile::ZoneAddress>& block);

}  // namespace coredns::plugins::cache
