#pragma once
// CoreDNS's cache metrics (plugins/cache/README.md, Metrics), labelled server, [type,] zones and
// view. The series of a server are looked up once per worker and server, then kept.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/metrics/metrics.h"
#include "core/plugin/request.h"

namespace coredns::plugins::cache {

// The series of one `server` label.
struct Series {
  metrics::Counter* requests = nullptr;
  metrics::Counter* hits_success = nullptr;
  metrics::Counter* hits_denial = nullptr;
  metrics::Counter* misses = nullptr;
  metrics::Counter* prefetch = nullptr;
  metrics::Counter* drops = nullptr;
  metrics::Counter* served_stale = nullptr;
  metrics::Counter* evictions_success = nullptr;
  metrics::Counter* evictions_denial = nullptr;
  metrics::Gauge* entries_success = nullptr;
  metrics::Gauge* entries_denial = nullptr;
};

class SeriesTable {
 public:
  // `zones` is the zones label: the cache's zones joined by ",".
  explicit SeriesTable(std::string zones);

  // The series for the server `req` arrived on (a copy: safe to keep across a suspension);
  // per worker, so no lock once warm.
  Series get(const Request& req);
  // The series for a server label (tests, and the first lookup of each server).
  Series make(const std::string& server) const;

 private:
  struct alignas(64) Slot {
    std::vector<std::pair<const void*, Series>> known;
  };
  std::string zones_;
  std::unique_ptr<Slot[]> slots_;
};

}  // namespace coredns::plugins::cache
