#pragma once
// coredns_dns64_requests_translated_total{server}: the server label is the listener the query
// came in on, so each worker keeps the few series it met, found without a lock or a string.
#include <memory>
#include <utility>
#include <vector>

#include "core/metrics/metrics.h"

namespace coredns {
class Server;
}

namespace coredns::plugins::dns64 {

class TranslatedCounter {
 public:
  TranslatedCounter();
  void inc(const Server& server);

 private:
  struct alignas(64) Slot {
    std::vector<std::pair<const Server*, metrics::Counter*>> seen;
  };
  metrics::CounterFamily& family_;
  std::unique_ptr<Slot[]> slots_;
  int slot_count_;
};

}  // namespace coredns::plugins::dns64
