// Consolidation: counting per pattern, summaries per period, show_first, the flush on shutdown
// (CoreDNS's plugin/errors/errors_test.go).
#include <catch2/catch.hpp>

#include <chrono>
#include <mutex>
#include <thread>

#include "plugins/errors/consolidator.h"
#include "core/util/regex.h"

using namespace coredns;
using namespace coredns::plugins::errors;
using namespace std::chrono_literals;

namespace {

struct Collected {
  std::mutex mu;
  std::vector<std::pair<log::Level, std::string>> lines;
  Consolidator::Printer printer() {
    return [this](log::Level l, std::string_view text) {
      std::lock_guard<std::mutex> lock(mu);
      lines.emplace_back(l, std::string(text));
    };
  }
  size_t size() {
    std::lock_guard<std::mutex> lock(mu);
    return lines.size();
  }
};

ConsolidateRule rule(Duration period, const std::string& pattern,
                     log::Level level = log::Level::error, bool show_first = false) {
  ConsolidateRule r;
  r.period = period;
  r.pattern_text = pattern;
  r.pattern.emplace(pattern);
  r.level = level;
  r.show_first = show_first;
  return r;
}

std::vector<ConsolidateRule> rules(std::initializer_list<ConsolidateRule> list) {
  std::vector<ConsolidateRule> out;
  for (const auto& r : list) out.push_back(r);
  return out;
}

}  // namespace

TEST_CASE("the first matching pattern is used") {
  Collected out;
  Consolidator c(rules({rule(1h, "timeout"), rule(1h, "i/o"), rule(1h, "^plugin")}),
                 out.printer());
  CHECK(c.match("read: i/o timeout") == 0u);
  CHECK(c.match("read: i/o") == 1u);
  CHECK(c.match("plugin/forward: no healthy upstream") == 2u);
  CHECK_FALSE(c.match("something else"));
}

TEST_CASE("F5/F8: errors are counted and summed up once per period") {
  Collected out;
  Consolidator c(rules({rule(5min, "no next plugin")}), out.printer());
  CHECK_FALSE(c.record(0));
  CHECK_FALSE(c.record(0));
  CHECK_FALSE(c.record(0));
  c.expire(0);
  REQUIRE(out.lines.size() == 1);
  CHECK(out.lines[0].first == log::Level::error);
  CHECK(out.lines[0].second == "3 errors like 'no next plugin' occurred in last 5m0s");
  c.expire(0);  // nothing new: nothing printed
  CHECK(out.lines.size() == 1);
}

TEST_CASE("F6/F7: show_first prints the first error; a period with only it has no summary") {
  Collected out;
  Consolidator c(rules({rule(2s, "x", log::Level::warning, true)}), out.printer());
  CHECK(c.record(0));
  CHECK_FALSE(c.record(0));
  CHECK_FALSE(c.record(0));
  c.expire(0);
  REQUIRE(out.lines.size() == 1);
  CHECK(out.lines[0].first == log::Level::warning);
  CHECK(out.lines[0].second == "3 errors like 'x' occurred in last 2s");
  CHECK(c.record(0));  // a new period
  c.expire(0);
  CHECK(out.lines.size() == 1);
}

TEST_CASE("the period's deadline prints the summary by itself") {
  Collected out;
  Consolidator c(rules({rule(50ms, "x")}), out.printer());
  const auto start = std::chrono::steady_clock::now();
  c.record(0);
  c.record(0);
  while (out.size() == 0 && std::chrono::steady_clock::now() - start < 5s)
    std::this_thread::sleep_for(5ms);
  CHECK(std::chrono::steady_clock::now() - start >= 50ms);
  REQUIRE(out.size() == 1);
  CHECK(out.lines[0].second == "2 errors like 'x' occurred in last 50ms");
  // The next period starts with the next error.
  c.record(0);
  while (out.size() == 1 && std::chrono::steady_clock::now() - start < 5s)
    std::this_thread::sleep_for(5ms);
  REQUIRE(out.size() == 2);
  CHECK(out.lines[1].second == "1 errors like 'x' occurred in last 50ms");
}

TEST_CASE("shutdown flushes pending counts; afterwards errors are printed one by one") {
  Collected out;
  Consolidator c(rules({rule(1h, "a"), rule(1h, "b", log::Level::info, true), rule(1h, "c")}),
                 out.printer());
  c.record(0);
  c.record(0);
  c.record(1);
  c.flush_and_stop();
  REQUIRE(out.lines.size() == 1);  // b had only its shown first error
  CHECK(out.lines[0].second == "2 errors like 'a' occurred in last 1h0m0s");
  CHECK(c.record(0));
  CHECK(c.record(2));
  c.flush_and_stop();
  CHECK(out.lines.size() == 1);
}

TEST_CASE("counting from many threads loses nothing") {
  Collected out;
  Consolidator c(rules({rule(1h, "x")}), out.printer());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) c.record(0);
    });
  for (auto& t : threads) t.join();
  c.flush_and_stop();
  REQUIRE(out.lines.size() == 1);
  CHECK(out.lines[0].second == "4000 errors like 'x' occurred in last 1h0m0s");
}
