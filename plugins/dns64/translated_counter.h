#pragma once
// coredns_dns64_requests_translated_total{server}: the server label is the listener the query
// came in on, so each worker keeps the few series it met, found without a lock or a string.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/metrics/metrics.h"

namespace coredns::plugins::dns64 {

class TranslatedCounter {
 public:
  TranslatedCounter();
  // `server`: Request::server_key(), the same object for every query of one server.
  void inc(const std::string& server) { cell(server).inc(); }
  // The series of `server`, for a reply that counts again when it is answered again
  // (Response::on_reuse).
  metrics::Counter& cell(const std::string& server);

 private:
  struct alignas(64) Slot {
    std::vector<std::pair<const std::string*, metrics::Counter*>> seen;
  };
  metrics::CounterFamily& family_;
  std::unique_ptr<Slot[]> slots_;
  int slot_count_;
};

}  // namespace coredns::plugins::dns64
