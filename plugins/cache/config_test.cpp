// Parsing of the `cache` directive: defaults, every option, and every rejected form with
// CoreDNS's error text (CoreDNS's plugin/cache/setup.go and setup_test.go).
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "core/corefile/lexer.h"
#include "plugins/cache/cache.h"
#include "plugins/cache/config.h"
#include "tests/support/plugin_setup.h"

namespace coredns::plugins {
const PluginDef& plugin_cache();
}

using namespace coredns;
using namespace coredns::plugins::cache;
using namespace std::chrono_literals;

namespace {

CacheConfig config(const std::string& body, std::vector<std::string> keys = {"."}) {
  auto zones = corefile::normalize_keys(keys, "53");
  corefile::Dispenser d(corefile::lex(body), "Corefile");
  return parse_cache(d, zones);
}

std::string error_of(const std::string& body) {
  return testing::run_setup(plugins::plugin_cache(), "cache", body).error;
}

const char* kArgErr = "plugin/cache: Corefile:{} - Error during parsing: Wrong argument count "
                      "or unexpected line ending after '{}'";

std::string arg_err(int line, const std::string& after) {
  return fmt::format(fmt::runtime(kArgErr), line, after);
}

}  // namespace

TEST_CASE("cache: defaults") {
  auto c = config("cache");
  CHECK(c.zones == std::vector<std::string>{"."});
  CHECK(c.success_capacity == 10000);
  CHECK(c.denial_capacity == 10000);
  CHECK(c.success_ttl == 3600);
  CHECK(c.success_min_ttl == 5);
  CHECK(c.denial_ttl == 1800);
  CHECK(c.denial_min_ttl == 5);
  CHECK(c.prefetch == 0);
  CHECK(c.prefetch_duration == 1min);
  CHECK(c.prefetch_percentage == 10);
  CHECK_FALSE(c.serve_stale);
  CHECK(c.stale_up_to == 0s);
  CHECK(c.servfail == 5s);
  CHECK_FALSE(c.keepttl);
  CHECK(c.disable_success.empty());
  CHECK(c.disable_denial.empty());
  // 10000 / 256 = 39 per shard, 9984 in all.
  CHECK(shard_capacity(c.success_capacity) * kShards == 9984);
}

TEST_CASE("cache: the setup adds one handler") {
  auto run = testing::run_setup(plugins::plugin_cache(), "cache", "cache");
  CHECK(run.error.empty());
  CHECK(run.handler<Cache>() != nullptr);
}

TEST_CASE("cache: TTL and zones on the directive line") {
  auto c = config("cache 25 example.nl");
  CHECK(c.success_ttl == 25);
  CHECK(c.denial_ttl == 25);
  CHECK(c.zones == std::vector<std::string>{"example.nl."});
  // A first argument that is no integer is a zone.
  c = config("cache aaa Example.NL");
  CHECK(c.success_ttl == 3600);
  CHECK(c.zones == std::vector<std::string>{"aaa.", "example.nl."});
  // Values above 3600 are honoured.
  CHECK(config("cache 7200").success_ttl == 7200);
  // Without zones, the server block's.
  CHECK(config("cache", {"example.org", "example.net:1053"}).zones ==
        std::vector<std::string>{"example.org.", "example.net."});
  CHECK(config("cache 10.0.0.0/15").zones ==
        std::vector<std::string>{"0.10.in-addr.arpa.", "1.10.in-addr.arpa."});
}

TEST_CASE("cache: success and denial") {
  auto c = config("cache {\n success 10 1800 30\n}");
  CHECK(c.success_capacity == 10);
  CHECK(c.success_ttl == 1800);
  CHECK(c.success_min_ttl == 30);
  CHECK(shard_capacity(c.success_capacity) * kShards == 1024);
  c = config("cache 25 example.nl {\n success 10\n denial 10 15\n}");
  CHECK(c.success_ttl == 25);
  CHECK(c.denial_ttl == 15);
  CHECK(c.success_capacity == 10);
  CHECK(c.denial_capacity == 10);
  c = config("cache {\n denial 0 60 0\n}");
  CHECK(c.denial_capacity == 0);
  CHECK(c.denial_min_ttl == 0);
  // `denial 0` does not turn the negative cache off: every shard keeps 4 items.
  CHECK(shard_capacity(0) * kShards == 1024);
  CHECK(shard_capacity(-5) == 4);
}

TEST_CASE("cache: prefetch") {
  auto c = config("cache {\n prefetch 2\n}");
  CHECK(c.prefetch == 2);
  CHECK(c.prefetch_duration == 1min);
  CHECK(c.prefetch_percentage == 10);
  c = config("cache {\n prefetch 3 30s 50%\n}");
  CHECK(c.prefetch == 3);
  CHECK(c.prefetch_duration == 30s);
  CHECK(c.prefetch_percentage == 50);
  CHECK(config("cache {\n prefetch 0\n}").prefetch == 0);
  CHECK(config("cache {\n prefetch 1 1m 10%\n}").prefetch_percentage == 10);
  CHECK(config("cache {\n prefetch 1 1m 90%\n}").prefetch_percentage == 90);
}

TEST_CASE("cache: serve_stale") {
  auto c = config("cache {\n serve_stale\n}");
  CHECK(c.serve_stale);
  CHECK(c.stale_up_to == 1h);
  CHECK_FALSE(c.verify);
  c = config("cache {\n serve_stale 0 VERIFY\n}");
  CHECK(c.stale_up_to == 0s);
  CHECK(c.verify);
  c = config("cache {\n serve_stale 10m immediate 30s 1m\n}");
  CHECK(c.stale_up_to == 10min);
  CHECK_FALSE(c.verify);
  CHECK(c.stale_response_ttl == 30);
  CHECK(c.failure_recheck == 1min);
  c = config("cache {\n serve_stale 1h verify 50ms 45s 5m\n}");
  CHECK(c.verify);
  CHECK(c.verify_timeout == 50ms);
  CHECK(c.stale_response_ttl == 45);
  CHECK(c.failure_recheck == 5min);
  CHECK(config("cache {\n serve_stale 1h immediate 4294967295s\n}").stale_response_ttl ==
        4294967295u);
  c = config("cache {\n serve_stale\n serve_stale_policy PREFER_POSITIVE\n}");
  CHECK(c.prefer_positive);
  // The policy may come before serve_stale in the block.
  CHECK(config("cache {\n serve_stale_policy prefer_positive\n serve_stale\n}").prefer_positive);
}

TEST_CASE("cache: servfail, disable, keepttl") {
  CHECK(config("cache {\n servfail 1s\n}").servfail == 1s);
  CHECK(config("cache {\n servfail 5m\n}").servfail == 5min);
  CHECK(config("cache {\n servfail 0s\n}").servfail == 0s);
  CHECK(config("cache {\n servfail 0\n}").servfail == 0s);
  auto c = config("cache {\n disable success Example.ORG b.nl\n disable denial\n}");
  CHECK(c.disable_success == std::vector<std::string>{"example.org.", "b.nl."});
  CHECK(c.disable_denial == std::vector<std::string>{"."});
  // A later line of the same kind replaces the earlier one.
  c = config("cache {\n disable denial a.nl\n disable denial b.nl\n}");
  CHECK(c.disable_denial == std::vector<std::string>{"b.nl."});
  CHECK(config("cache {\n keepttl\n}").keepttl);
}

TEST_CASE("cache: rejected forms carry CoreDNS's text") {
  CHECK(error_of("cache 0") == "plugin/cache: cache TTL can not be zero or negative: 0");
  CHECK(error_of("cache -1") == "plugin/cache: cache TTL can not be zero or negative: -1");
  CHECK(error_of("cache\ncache") ==
        "plugin/cache: this plugin can only be used once per Server Block");
  CHECK(error_of("cache {\n success\n}") == arg_err(2, "success"));
  CHECK(error_of("cache {\n denial aaa\n}") ==
        "plugin/cache: strconv.Atoi: parsing \"aaa\": invalid syntax");
  CHECK(error_of("cache {\n success 10 0\n}") ==
        "plugin/cache: cache TTL can not be zero or negative: 0");
  CHECK(error_of("cache {\n denial 10 x\n}") ==
        "plugin/cache: strconv.Atoi: parsing \"x\": invalid syntax");
  CHECK(error_of("cache {\n success 10 10 -1\n}") ==
        "plugin/cache: cache min TTL can not be negative: -1");
  CHECK(error_of("cache {\n positive 15\n}") == arg_err(2, "positive"));
  CHECK(error_of("cache {\n prefetch -1\n}") ==
        "plugin/cache: prefetch amount should be positive: -1");
  CHECK(error_of("cache {\n prefetch\n}") == arg_err(2, "prefetch"));
  CHECK(error_of("cache {\n prefetch 1 1m 10% x\n}") == arg_err(2, "x"));
  CHECK(error_of("cache {\n prefetch 0 blurp\n}") ==
        "plugin/cache: time: invalid duration \"blurp\"");
  CHECK(error_of("cache {\n prefetch 1 1m 10\n}") ==
        "plugin/cache: last character of percentage should be `%`, but is: '0'");
  CHECK(error_of("cache {\n prefetch 1 1m 9%\n}") ==
        "plugin/cache: percentage should fall in range [10, 90]: 9");
  CHECK(error_of("cache {\n prefetch 1 1m 91%\n}") ==
        "plugin/cache: percentage should fall in range [10, 90]: 91");
  CHECK(error_of("cache {\n prefetch 1 1m x%\n}") ==
        "plugin/cache: strconv.Atoi: parsing \"x\": invalid syntax");
  CHECK(error_of("cache {\n servfail\n}") == arg_err(2, "servfail"));
  CHECK(error_of("cache {\n servfail 6m\n}") ==
        "plugin/cache: caching SERVFAIL responses over 5 minutes is not permitted");
  CHECK(error_of("cache {\n servfail 20\n}") ==
        "plugin/cache: time: missing unit in duration \"20\"");
  CHECK(error_of("cache {\n servfail -1s\n}") ==
        "plugin/cache: invalid negative ttl for servfail");
  CHECK(error_of("cache {\n servfail aa\n}") == "plugin/cache: time: invalid duration \"aa\"");
  CHECK(error_of("cache {\n servfail 1m invalid\n}") == arg_err(2, "invalid"));
  CHECK(error_of("cache {\n serve_stale 20\n}") ==
        "plugin/cache: time: missing unit in duration \"20\"");
  CHECK(error_of("cache {\n serve_stale -1h\n}") ==
        "plugin/cache: invalid negative duration for serve_stale");
  CHECK(error_of("cache {\n serve_stale 1h later\n}") ==
        "plugin/cache: invalid value for serve_stale refresh mode: later");
  CHECK(error_of("cache {\n serve_stale 1h immediate 100ms\n}") ==
        "plugin/cache: response TTL for serve_stale must be a whole number of seconds: 100ms");
  CHECK(error_of("cache {\n serve_stale 1h immediate 4294967296s\n}") ==
        "plugin/cache: response TTL for serve_stale is too large: 4294967296s");
  CHECK(error_of("cache {\n serve_stale 1h verify 100ms 500ms\n}") ==
        "plugin/cache: response TTL for serve_stale must be a whole number of seconds: 500ms");
  CHECK(error_of("cache {\n serve_stale 1h immediate 30s 5m1s\n}") ==
        "plugin/cache: failure recheck for serve_stale can not be over 5 minutes: 5m1s");
  CHECK(error_of("cache {\n serve_stale 1h verify -1s\n}") ==
        "plugin/cache: invalid negative verify timeout for serve_stale: -1s");
  CHECK(error_of("cache {\n serve_stale 1h immediate 30s 1m 1s\n}") == arg_err(2, "1s"));
  CHECK(error_of("cache {\n serve_stale 1h verify 1s 30s 1m 1s\n}") == arg_err(2, "1s"));
  CHECK(error_of("cache {\n serve_stale_policy prefer_positive\n}") ==
        "plugin/cache: serve_stale_policy requires serve_stale");
  CHECK(error_of("cache {\n serve_stale\n serve_stale_policy\n}") ==
        arg_err(3, "serve_stale_policy"));
  CHECK(error_of("cache {\n serve_stale\n serve_stale_policy newest\n}") ==
        "plugin/cache: invalid value for serve_stale_policy: newest");
  CHECK(error_of("cache {\n serve_stale\n serve_stale_policy prefer_positive\n "
                 "serve_stale_policy prefer_positive\n}") ==
        "plugin/cache: serve_stale_policy can only be specified once");
  CHECK(error_of("cache {\n disable\n}") == arg_err(2, "disable"));
  CHECK(error_of("cache {\n disable everything\n}") ==
        "plugin/cache: cache type for disable must be \"success\" or \"denial\"");
  CHECK(error_of("cache {\n disable denial a..b\n}") == "plugin/cache: invalid disabled zone: a..b");
  CHECK(error_of("cache {\n keepttl on\n}") == arg_err(2, "on"));
}

TEST_CASE("cache: the opt-in options beyond CoreDNS") {
  auto c = config("cache");
  CHECK_FALSE(c.rrset_ttls);
  CHECK_FALSE(c.rfc2308);
  CHECK_FALSE(c.cache_failures);
  c = config("cache {\n rrset_ttls\n rfc2308\n cache_failures\n}");
  CHECK(c.rrset_ttls);
  CHECK(c.rfc2308);
  CHECK(c.cache_failures);
  CHECK(error_of("cache {\n rrset_ttls yes\n}") == arg_err(2, "yes"));
  CHECK(error_of("cache {\n rfc2308 1\n}") == arg_err(2, "1"));
  CHECK(error_of("cache {\n cache_failures 5s\n}") == arg_err(2, "5s"));
}
