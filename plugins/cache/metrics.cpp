#include "plugins/cache/metrics.h"

#include "core/async/worker_id.h"

namespace coredns::plugins::cache {

SeriesTable::SeriesTable(std::string zones)
    : zones_(std::move(zones)), slots_(new Slot[async::worker_slots()]) {}

Series SeriesTable::make(const std::string& server) const {
  auto& r = metrics::Registry::global();
  const metrics::Labels plain{"server", "zones", "view"};
  const metrics::Labels typed{"server", "type", "zones", "view"};
  auto& entries = r.gauge("coredns_cache_entries", "The number of elements in the cache.", typed);
  auto& hits = r.counter("coredns_cache_hits_total", "The count of cache hits.", typed);
  auto& evictions =
      r.counter("coredns_cache_evictions_total", "The count of cache evictions.", typed);
  auto plain_counter = [&](const char* name, const char* help) {
    return &r.counter(name, help, plain).with({server, zones_, ""});
  };
  Series s;
  s.requests = plain_counter("coredns_cache_requests_total", "The count of cache requests.");
  s.misses = plain_counter("coredns_cache_misses_total",
                           "The count of cache misses. Deprecated, derive misses from cache "
                           "hits/requests counters.");
  s.prefetch = plain_counter("coredns_cache_prefetch_total",
                             "The number of times the cache has prefetched a cached item.");
  s.drops = plain_counter("coredns_cache_drops_total",
                          "The number responses that are not cached, because the reply is "
                          "malformed.");
  s.served_stale = plain_counter("coredns_cache_served_stale_total",
                                 "The number of requests served from stale cache entries.");
  s.hits_success = &hits.with({server, "success", zones_, ""});
  s.hits_denial = &hits.with({server, "denial", zones_, ""});
  s.evictions_success = &evictions.with({server, "success", zones_, ""});
  s.evictions_denial = &evictions.with({server, "denial", zones_, ""});
  s.entries_success = &entries.with({server, "success", zones_, ""});
  s.entries_denial = &entries.with({server, "denial", zones_, ""});
  return s;
}

Series SeriesTable::get(const Request& req) {
  Slot& slot = slots_[async::worker_index()];
  const std::string* server = &req.server_key();
  for (const auto& [key, series] : slot.known)
    if (key == server) return series;
  slot.known.emplace_back(server, make(*server));
  return slot.known.back().second;
}

}  // namespace coredns::plugins::cache
