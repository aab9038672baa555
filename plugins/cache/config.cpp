#include "plugins/cache/config.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "core/dns/name.h"
#include "core/plugin/zones.h"
#include "core/util/error.h"
#include "core/util/go_strconv.h"

namespace coredns::plugins::cache {
namespace {

constexpr Duration kMaxServfail = 5min;
constexpr Duration kMaxFailureRecheck = 5min;
constexpr int64_t kMaxResponseTtl = 0xFFFFFFFF;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(dns::ascii_lower(c)); });
  return s;
}

// A positive TTL in seconds (the directive's first argument, and success/denial's second).
int64_t parse_ttl(const std::string& text) {
  int64_t ttl = go_atoi(text);
  if (ttl <= 0) throw ConfigError(fmt::format("cache TTL can not be zero or negative: {}", ttl));
  return ttl;
}

// `success|denial CAPACITY [TTL [MINTTL]]`.
void parse_kind(corefile::Dispenser& d, int64_t& capacity, int64_t& ttl, int64_t& min_ttl) {
  auto args = d.remaining_args();
  if (args.empty()) throw d.arg_err();
  capacity = go_atoi(args[0]);
  if (args.size() > 1) ttl = parse_ttl(args[1]);
  if (args.size() > 2) {
    min_ttl = go_atoi(args[2]);
    if (min_ttl < 0)
      throw ConfigError(fmt::format("cache min TTL can not be negative: {}", min_ttl));
  }
}

// `prefetch AMOUNT [[DURATION] [PERCENTAGE%]]`.
void parse_prefetch(corefile::Dispenser& d, CacheConfig& c) {
  auto args = d.remaining_args();
  if (args.empty() || args.size() > 3) throw d.arg_err();
  int64_t amount = go_atoi(args[0]);
  if (amount < 0) throw ConfigError(fmt::format("prefetch amount should be positive: {}", amount));
  c.prefetch = amount;
  if (args.size() > 1) c.prefetch_duration = parse_duration(args[1]);
  if (args.size() > 2) {
    std::string pct = args[2];
    if (pct.empty() || pct.back() != '%')
      throw ConfigError(fmt::format("last character of percentage should be `%`, but is: {}",
                                    pct.empty() ? std::string("''")
                                                : "'" + std::string(1, pct.back()) + "'"));
    pct.pop_back();
    int64_t num = go_atoi(pct);
    if (num < 10 || num > 90)
      throw ConfigError(fmt::format("percentage should fall in range [10, 90]: {}", num));
    c.prefetch_percentage = static_cast<int>(num);
  }
}

// RESPONSE_TTL: a duration in whole seconds that fits a TTL field.
uint32_t parse_response_ttl(const std::string& text) {
  Duration d = parse_duration(text);
  if (d < 0s) throw ConfigError(fmt::format("invalid negative response TTL for serve_stale: {}", text));
  if (d % 1s != 0s)
    throw ConfigError(
        fmt::format("response TTL for serve_stale must be a whole number of seconds: {}", text));
  int64_t secs = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  if (secs > kMaxResponseTtl)
    throw ConfigError(fmt::format("response TTL for serve_stale is too large: {}", text));
  return static_cast<uint32_t>(secs);
}

Duration parse_failure_recheck(const std::string& text) {
  Duration d = parse_duration(text);
  if (d < 0s)
    throw ConfigError(fmt::format("invalid negative failure recheck for serve_stale: {}", text));
  if (d > kMaxFailureRecheck)
    throw ConfigError(
        fmt::format("failure recheck for serve_stale can not be over 5 minutes: {}", text));
  return d;
}

// `serve_stale [DURATION] [immediate [RESPONSE_TTL [FAILURE_RECHECK]] |
//               verify [VERIFY_TIMEOUT [RESPONSE_TTL [FAILURE_RECHECK]]]]`.
void parse_serve_stale(corefile::Dispenser& d, CacheConfig& c) {
  auto args = d.remaining_args();
  if (args.size() > 5) throw d.arg_err();
  c.serve_stale = true;
  c.stale_up_to = 1h;
  c.verify = false;
  c.verify_timeout = 0s;
  c.stale_response_ttl = 0;
  c.failure_recheck = 0s;
  if (args.empty()) return;
  Duration up_to = parse_duration(args[0]);
  if (up_to < 0s) throw ConfigError("invalid negative duration for serve_stale");
  c.stale_up_to = up_to;
  if (args.size() < 2) return;
  std::string mode = lower(args[1]);
  if (mode != "immediate" && mode != "verify")
    throw ConfigError(fmt::format("invalid value for serve_stale refresh mode: {}", mode));
  c.verify = mode == "verify";
  size_t i = 2;
  if (c.verify && i < args.size()) {
    Duration t = parse_duration(args[i++]);
    if (t < 0s)
      throw ConfigError(fmt::format("invalid negative verify timeout for serve_stale: {}", args[i - 1]));
    c.verify_timeout = t;
  }
  if (i < args.size()) c.stale_response_ttl = parse_response_ttl(args[i++]);
  if (i < args.size()) c.failure_recheck = parse_failure_recheck(args[i++]);
  if (i < args.size()) throw d.arg_err();
}

// `servfail DURATION`.
void parse_servfail(corefile::Dispenser& d, CacheConfig& c) {
  auto args = d.remaining_args();
  if (args.size() != 1) throw d.arg_err();
  Duration t = parse_duration(args[0]);
  if (t < 0s) throw ConfigError("invalid negative ttl for servfail");
  if (t > kMaxServfail)
    throw ConfigError("caching SERVFAIL responses over 5 minutes is not permitted");
  c.servfail = t;
}

// `disable success|denial [ZONES...]`: a later line of the same kind replaces an earlier one.
void parse_disable(corefile::Dispenser& d, CacheConfig& c) {
  auto args = d.remaining_args();
  if (args.empty()) throw d.arg_err();
  std::vector<std::string> zones;
  for (size_t i = 1; i < args.size(); ++i) {
    dns::Name n;
    if (!dns::Name::from_text(args[i], n))
      throw ConfigError(fmt::format("invalid disabled zone: {}", args[i]));
    n.to_lower();
    zones.push_back(n.to_text());
  }
  if (zones.empty()) zones.push_back(".");
  if (args[0] == "success")
    c.disable_success = std::move(zones);
  else if (args[0] == "denial")
    c.disable_denial = std::move(zones);
  else
    throw ConfigError("cache type for disable must be \"success\" or \"denial\"");
}

// An option without arguments.
bool flag(corefile::Dispenser& d) {
  if (!d.remaining_args().empty()) throw d.arg_err();
  return true;
}

}  // namespace

CacheConfig parse_cache(corefile::Dispenser& d, const std::vector<corefile::ZoneAddress>& block) {
  CacheConfig c;
  bool seen = false;
  bool policy_seen = false;
  while (d.next()) {
    if (seen) throw ConfigError("this plugin can only be used once per Server Block");
    seen = true;

    // `cache [TTL] [ZONES...]`: a first argument that is no integer is a zone.
    auto args = d.remaining_args();
    if (!args.empty()) {
      std::optional<int64_t> ttl;
      try {
        ttl = go_atoi(args[0]);
      } catch (const ConfigError&) {
      }
      if (ttl) {
        if (*ttl <= 0)
          throw ConfigError(fmt::format("cache TTL can not be zero or negative: {}", *ttl));
        c.success_ttl = c.denial_ttl = *ttl;
        args.erase(args.begin());
      }
    }
    c.zones = origins_from_args_or_block(args, block);

    while (d.next_block()) {
      const std::string option = d.val();
      if (option == "success") {
        parse_kind(d, c.success_capacity, c.success_ttl, c.success_min_ttl);
      } else if (option == "denial") {
        parse_kind(d, c.denial_capacity, c.denial_ttl, c.denial_min_ttl);
      } else if (option == "prefetch") {
        parse_prefetch(d, c);
      } else if (option == "serve_stale") {
        parse_serve_stale(d, c);
      } else if (option == "serve_stale_policy") {
        auto pargs = d.remaining_args();
        if (pargs.size() != 1) throw d.arg_err();
        if (policy_seen) throw ConfigError("serve_stale_policy can only be specified once");
        policy_seen = true;
        if (lower(pargs[0]) != "prefer_positive")
          throw ConfigError(fmt::format("invalid value for serve_stale_policy: {}", pargs[0]));
        c.prefer_positive = true;
      } else if (option == "servfail") {
        parse_servfail(d, c);
      } else if (option == "disable") {
        parse_disable(d, c);
      } else if (option == "keepttl") {
        c.keepttl = flag(d);
      } else if (option == "rrset_ttls") {
        c.rrset_ttls = flag(d);
      } else if (option == "rfc2308") {
        c.rfc2308 = flag(d);
      } else if (option == "cache_failures") {
        c.cache_failures = flag(d);
      } else {
        throw d.arg_err();
      }
    }
  }
  if (c.prefer_positive && !c.serve_stale)
    throw ConfigError("serve_stale_policy requires serve_stale");
  return c;
}

}  // namespace coredns::plugins::cache
