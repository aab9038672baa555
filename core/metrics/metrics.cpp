#include "core/metrics/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "core/async/worker_id.h"

namespace coredns::metrics {
namespace {

std::string escape_label(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string label_text(const Labels& names, const Labels& values, const std::string& extra = {}) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    out += out.empty() ? "{" : ",";
    out += names[i] + "=\"" + escape_label(values[i]) + "\"";
  }
  if (!extra.empty()) out += (out.empty() ? "{" : ",") + extra;
  if (!out.empty()) out += "}";
  return out;
}

// Prometheus' float formatting: shortest round-trip, "+Inf".
std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  return fmt::format("{}", v);
}

void header(std::string& out, const std::string& name, const std::string& help, const char* type) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void add_double(std::atomic<double>& a, double v) {
  double cur = a.load(std::memory_order_relaxed);
  while (!a.compare_exchange_weak(cur, cur + v, std::memory_order_relaxed)) {
  }
}

// Adds to the slot of the calling thread. A worker's own slot has that one writer: a plain add,
// without a locked instruction, is enough (every query counts a few); a scrape still reads it
// atomically. The last slot is shared by every other thread.
template <typename T>
void add_to_slot(std::atomic<T>& slot, T n, bool shared) {
  if (!shared) {
    slot.store(slot.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  } else if constexpr (std::is_integral_v<T>) {
    slot.fetch_add(n, std::memory_order_relaxed);
  } else {
    add_double(slot, n);
  }
}

}  // namespace

Counter::Counter() : slots_(new detail::Slot[async::worker_slots()]), count_(async::worker_slots()) {}

void Counter::inc(uint64_t n) {
  const int i = std::min(async::worker_index(), count_ - 1);
  add_to_slot(slots_[i].value, n, i == count_ - 1);
}

uint64_t Counter::value() const {
  uint64_t total = 0;
  for (int i = 0; i < count_; ++i) total += slots_[i].value.load(std::memory_order_relaxed);
  return total;
}

void Gauge::add(double v) { add_double(value_, v); }

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds),
      slots_(async::worker_slots()),
      counts_(new detail::Slot[static_cast<size_t>(slots_) * (bounds.size() + 1)]),
      sums_(new detail::SumSlot[slots_]) {}

void Histogram::observe(double v) {
  const int s = std::min(async::worker_index(), slots_ - 1);
  const bool shared = s == slots_ - 1;
  size_t b = 0;
  while (b < bounds_.size() && v > bounds_[b]) ++b;
  add_to_slot(counts_[static_cast<size_t>(s) * (bounds_.size() + 1) + b].value, uint64_t{1}, shared);
  add_to_slot(sums_[s].value, v, shared);
}

std::vector<uint64_t> Histogram::cumulative() const {
  std::vector<uint64_t> out(bounds_.size() + 1, 0);
  for (int s = 0; s < slots_; ++s)
    for (size_t b = 0; b <= bounds_.size(); ++b)
      out[b] += counts_[static_cast<size_t>(s) * (bounds_.size() + 1) + b].value.load(
          std::memory_order_relaxed);
  for (size_t b = 1; b < out.size(); ++b) out[b] += out[b - 1];
  return out;
}

double Histogram::sum() const {
  double total = 0;
  for (int s = 0; s < slots_; ++s) total += sums_[s].value.load(std::memory_order_relaxed);
  return total;
}

Registry& Registry::global() {
  static Registry r;
  return r;
}

CounterFamily& Registry::counter(const std::string& name, const std::string& help,
                                 Labels label_names) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& f = counters_[name];
  if (!f) f = std::make_unique<CounterFamily>(name, help, std::move(label_names));
  return *f;
}

GaugeFamily& Registry::gauge(const std::string& name, const std::string& help, Labels label_names) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& f = gauges_[name];
  if (!f) f = std::make_unique<GaugeFamily>(name, help, std::move(label_names));
  return *f;
}

HistogramFamily& Registry::histogram(const std::string& name, const std::string& help,
                                     Labels label_names, std::vector<double> bounds) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& f = histograms_[name];
  if (!f) f = std::make_unique<HistogramFamily>(name, help, std::move(label_names), std::move(bounds));
  return *f;
}

void Registry::on_scrape(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  scrape_hooks_.push_back(std::move(fn));
}

std::string Registry::render() {
  std::vector<std::function<void()>> hooks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    hooks = scrape_hooks_;
  }
  for (auto& h : hooks) h();
  std::lock_guard<std::mutex> lock(mu_);
  // Families of every kind, sorted by name.
  std::map<std::string, std::string> blocks;
  for (const auto& entry : counters_) {
    const std::string& name = entry.first;
    const auto& f = entry.second;
    std::string out;
    header(out, name, f->help(), "counter");
    f->each([&](const Labels& values, const Counter& c) {
      out += fmt::format("{}{} {}\n", name, label_text(f->label_names(), values), c.value());
    });
    blocks[name] = out;
  }
  for (const auto& entry : gauges_) {
    const std::string& name = entry.first;
    const auto& f = entry.second;
    std::string out;
    header(out, name, f->help(), "gauge");
    f->each([&](const Labels& values, const Gauge& g) {
      out += fmt::format("{}{} {}\n", name, label_text(f->label_names(), values), number(g.value()));
    });
    blocks[name] = out;
  }
  for (const auto& entry : histograms_) {
    const std::string& name = entry.first;
    const auto& f = entry.second;
    std::string out;
    header(out, name, f->help(), "histogram");
    f->each([&](const Labels& values, const Histogram& h) {
      auto counts = h.cumulative();
      for (size_t b = 0; b < counts.size(); ++b) {
        double le = b < h.bounds().size() ? h.bounds()[b] : INFINITY;
        out += fmt::format("{}_bucket{} {}\n", name,
                           label_text(f->label_names(), values, "le=\"" + number(le) + "\""),
                           counts[b]);
      }
      out += fmt::format("{}_sum{} {}\n", name, label_text(f->label_names(), values), number(h.sum()));
      out += fmt::format("{}_count{} {}\n", name, label_text(f->label_names(), values), counts.back());
    });
    blocks[name] = out;
  }
  std::string all;
  for (const auto& [name, text] : blocks) all += text;
  return all;
}

std::vector<double> time_buckets() {
  return {0.00025, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256,
          0.512, 1.024, 2.048, 4.096, 8.192};
}

std::vector<double> size_buckets() {
  return {0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16000, 32000, 48000, 64000};
}

Counter& panic_counter() {
  static Counter& counter =
      Registry::global()
          .counter("coredns_panics_total", "A metrics that counts the number of panics.", {})
          .with({});
  return counter;
}

}  // namespace coredns::metrics
