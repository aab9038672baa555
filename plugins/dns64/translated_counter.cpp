#include "plugins/dns64/translated_counter.h"

#include "core/async/worker_id.h"

namespace coredns::plugins::dns64 {

TranslatedCounter::TranslatedCounter()
    : family_(metrics::Registry::global().counter(
          "coredns_dns64_requests_translated_total",
          "Counter of DNS requests translated by dns64.", {"server"})),
      slots_(std::make_unique<Slot[]>(static_cast<size_t>(async::worker_slots()))),
      slot_count_(async::worker_slots()) {}

metrics::Counter& TranslatedCounter::cell(const std::string& server) {
  const int i = async::worker_index();
  auto& seen = slots_[static_cast<size_t>(i < slot_count_ ? i : slot_count_ - 1)].seen;
  for (auto& [s, counter] : seen)
    if (s == &server) return *counter;
  // First translation on this worker for this listener: one lookup, kept for later queries.
  metrics::Counter& c = family_.with({server});
  seen.emplace_back(&server, &c);
  return c;
}

}  // namespace coredns::plugins::dns64
