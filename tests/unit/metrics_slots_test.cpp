// Per-worker metric slots: workers add to their own slot without a locked instruction, every
// other thread to one shared slot. No count may be lost when they all add at once.
#include <catch2/catch.hpp>

#include <thread>
#include <vector>

#include "core/async/worker_id.h"
#include "core/metrics/metrics.h"

using namespace coredns;

namespace {

constexpr int kWorkers = 3, kOthers = 3, kAdds = 200000;

// Runs `add` kAdds times on kWorkers worker threads and kOthers other threads at once.
template <typename Add>
void add_from_every_thread(Add add) {
  std::vector<std::thread> threads;
  for (int i = 0; i < kWorkers + kOthers; ++i) {
    threads.emplace_back([i, &add] {
      if (i < kWorkers) async::set_worker_index(i);
      for (int n = 0; n < kAdds; ++n) add();
    });
  }
  for (auto& t : threads) t.join();
}

struct WorkerCount {
  explicit WorkerCount(int n) : before(async::worker_count()) { async::set_worker_count(n); }
  ~WorkerCount() { async::set_worker_count(before); }
  int before;
};

}  // namespace

TEST_CASE("a counter loses no count when workers and other threads add at once") {
  WorkerCount workers(kWorkers);
  metrics::Counter counter;
  add_from_every_thread([&] { counter.inc(); });
  counter.inc(5);  // the test's own thread is not a worker
  CHECK(counter.value() == uint64_t{kWorkers + kOthers} * kAdds + 5);
}

TEST_CASE("a histogram loses no observation when workers and other threads observe at once") {
  WorkerCount workers(kWorkers);
  metrics::Histogram histogram({1.0, 10.0});
  add_from_every_thread([&] { histogram.observe(2.0); });
  const std::vector<uint64_t> cumulative = histogram.cumulative();
  REQUIRE(cumulative.size() == 3);
  CHECK(cumulative[0] == 0);
  CHECK(cumulative[1] == uint64_t{kWorkers + kOthers} * kAdds);
  CHECK(cumulative[2] == uint64_t{kWorkers + kOthers} * kAdds);
  CHECK(histogram.sum() == 2.0 * (kWorkers + kOthers) * kAdds);
}
