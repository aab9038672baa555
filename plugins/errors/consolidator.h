#pragma once
// Counts errors per consolidate pattern and prints one summary line per period instead of one
// line per error. The first error of a period arms a deadline that a helper thread waits for;
// queries only touch an atomic counter (and, once per period, a mutex to arm the deadline).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "plugins/errors/config.h"

namespace coredns::plugins::errors {

class Consolidator {
 public:
  // Where lines go: log::write(level, "errors", text) in the plugin, a collector in tests.
  using Printer = std::function<void(log::Level, std::string_view)>;

  Consolidator(std::vector<ConsolidateRule> rules, Printer printer);
  ~Consolidator();
  Consolidator(const Consolidator&) = delete;
  Consolidator& operator=(const Consolidator&) = delete;

  // The first rule whose pattern occurs in `error_text`, if any.
  std::optional<size_t> match(std::string_view error_text) const;
  const ConsolidateRule& rule(size_t i) const { return slots_[i]->rule; }

  // Counts one error of rule `i`. True when the caller should still print it individually at
  // the rule's level: the first error of a period with show_first, or any error once stopped.
  bool record(size_t i);

  // Prints rule i's summary for the period now ending (if it counted anything) and resets it.
  void expire(size_t i);

  // Shutdown or reload: print every pending summary now and count nothing more.
  void flush_and_stop();

 private:
  struct Slot {
    explicit Slot(ConsolidateRule r) : rule(std::move(r)) {}
    ConsolidateRule rule;
    std::atomic<uint32_t> count{0};
    std::optional<std::chrono::steady_clock::time_point> deadline;  // guarded by mu_
  };

  void run_timer();
  void stop_timer();

  std::vector<std::unique_ptr<Slot>> slots_;
  Printer printer_;
  std::atomic<bool> stopped_flag_{false};  // read per error without the mutex
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;  // guarded by mu_
  std::thread timer_;     // started with the first error
};

}  // namespace coredns::plugins::errors
