#pragma once
// Prometheus-style metrics with per-worker slots: a worker only ever writes its own cache line,
// and a scrape sums the slots. Families are registered by name once per process and reused by
// later configurations (a reload re-runs setup, which gets the same family back).
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace coredns::metrics {

using Labels = std::vector<std::string>;

namespace detail {
struct alignas(64) Slot {
  std::atomic<uint64_t> value{0};
};
struct alignas(64) SumSlot {
  std::atomic<double> value{0};
};
}  // namespace detail

class Counter {
 public:
  Counter();
  void inc(uint64_t n = 1);
  uint64_t value() const;

 private:
  std::unique_ptr<detail::Slot[]> slots_;
  int count_;
};

// A value set rather than accumulated (cache entries, upstream health).
class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double v);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(const std::vector<double>& bounds);
  void observe(double v);
  // Cumulative counts per bound (the last is +Inf), and the sum of observations.
  std::vector<uint64_t> cumulative() const;
  double sum() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  int slots_;
  std::unique_ptr<detail::Slot[]> counts_;  // slots_ x (bounds_.size() + 1)
  std::unique_ptr<detail::SumSlot[]> sums_;
};

enum class Kind { counter, gauge, histogram };

// All series of one metric name, one per combination of label values.
template <typename T>
class Family {
 public:
  Family(std::string name, std::string help, Labels label_names, std::vector<double> bounds = {})
      : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)),
        bounds_(std::move(bounds)) {}

  // The series for these label values (created on first use). The reference stays valid for the
  // life of the process: look it up once where possible, not per query.
  T& with(const Labels& values) {
    std::lock_guard<std::mutex> lock(mu_);
    auto& slot = series_[values];
    if (!slot) slot = make();
    return *slot;
  }
  // Drops every series (e.g. gauges whose label sets change on reload).
  void clear() {
    std::lock_guard<std::mutex> lock(mu_);
    series_.clear();
  }

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const Labels& label_names() const { return label_names_; }
  template <typename Fn>
  void each(Fn&& fn) const {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [values, series] : series_) fn(values, *series);
  }

 private:
  std::unique_ptr<T> make() {
    if constexpr (std::is_same_v<T, Histogram>)
      return std::make_unique<Histogram>(bounds_);
    else
      return std::make_unique<T>();
  }

  std::string name_, help_;
  Labels label_names_;
  std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::map<Labels, std::unique_ptr<T>> series_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

class Registry {
 public:
  static Registry& global();

  CounterFamily& counter(const std::string& name, const std::string& help, Labels label_names);
  GaugeFamily& gauge(const std::string& name, const std::string& help, Labels label_names);
  HistogramFamily& histogram(const std::string& name, const std::string& help,
                             Labels label_names, std::vector<double> bounds);
  // Runs before each scrape, to refresh gauges that are cheaper to read than to track.
  void on_scrape(std::function<void()> fn);

  // The Prometheus text exposition format (version 0.0.4), families sorted by name.
  std::string render();

 private:
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<CounterFamily>> counters_;
  std::map<std::string, std::unique_ptr<GaugeFamily>> gauges_;
  std::map<std::string, std::unique_ptr<HistogramFamily>> histograms_;
  std::vector<std::function<void()>> scrape_hooks_;
};

// Bucket bounds Prometheus' client uses for DNS durations (CoreDNS's plugin.TimeBuckets).
std::vector<double> time_buckets();
// CoreDNS's size buckets (plugin.SizeBuckets).
std::vector<double> size_buckets();

// coredns_panics_total: handler exceptions the server recovered from (CoreDNS counts a recovered
// panic in core/dnsserver/server.go).
Counter& panic_counter();

}  // namespace coredns::metrics
