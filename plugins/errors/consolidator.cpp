#include "plugins/errors/consolidator.h"

#include <fmt/format.h>

namespace coredns::plugins::errors {

using Clock = std::chrono::steady_clock;

Consolidator::Consolidator(std::vector<ConsolidateRule> rules, Printer printer)
    : printer_(std::move(printer)) {
  for (auto& r : rules) slots_.push_back(std::make_unique<Slot>(std::move(r)));
}

Consolidator::~Consolidator() { stop_timer(); }

std::optional<size_t> Consolidator::match(std::string_view error_text) const {
  for (size_t i = 0; i < slots_.size(); ++i)
    if (slots_[i]->rule.pattern->search(error_text))
      return i;
  return std::nullopt;
}

bool Consolidator::record(size_t i) {
  Slot& s = *slots_[i];
  if (stopped_flag_.load(std::memory_order_acquire)) return true;
  if (s.count.fetch_add(1, std::memory_order_acq_rel) != 0) return false;
  // First error of a period: arm its deadline.
  bool missed_stop = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) {
      missed_stop = true;
    } else {
      s.deadline = Clock::now() + s.rule.period;
      if (!timer_.joinable()) timer_ = std::thread([this] { run_timer(); });
      cv_.notify_one();
    }
  }
  // Stopped between the check above and the count: nobody else will print this one.
  if (missed_stop) expire(i);
  return s.rule.show_first;
}

void Consolidator::expire(size_t i) {
  Slot& s = *slots_[i];
  const uint32_t n = s.count.exchange(0, std::memory_order_acq_rel);
  if (n == 0 || (n == 1 && s.rule.show_first)) return;
  printer_(s.rule.level, fmt::format("{} errors like '{}' occurred in last {}", n,
                                     s.rule.pattern_text, format_duration(s.rule.period)));
}

void Consolidator::run_timer() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopped_) {
    std::optional<Clock::time_point> next;
    for (const auto& s : slots_)
      if (s->deadline && (!next || *s->deadline < *next)) next = s->deadline;
    if (!next) {
      cv_.wait(lock);
      continue;
    }
    if (Clock::now() < *next) {
      cv_.wait_until(lock, *next);
      continue;
    }
    // Disarm before resetting the count, so that the next period's first error (which needs
    // the count at zero) always arms a fresh deadline.
    std::vector<size_t> due;
    const auto now = Clock::now();
    for (size_t i = 0; i < slots_.size(); ++i) {
      if (slots_[i]->deadline && *slots_[i]->deadline <= now) {
        slots_[i]->deadline.reset();
        due.push_back(i);
      }
    }
    lock.unlock();
    for (size_t i : due) expire(i);
    lock.lock();
  }
}

void Consolidator::stop_timer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    stopped_flag_.store(true, std::memory_order_release);
  }
  cv_.notify_all();
  if (timer_.joinable()) timer_.join();
}

void Consolidator::flush_and_stop() {
  stop_timer();
  for (size_t i = 0; i < slots_.size(); ++i) expire(i);
}

}  // namespace coredns::plugins::errors
