#pragma once
// The cache handler (CoreDNS's plugin/cache/handler.go and README.md): lookup, the miss path, hits
// built from stored wire replies, prefetch and serve_stale refreshes.
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>

#include "core/dns/response_type.h"
#include "core/plugin/handler.h"
#include "core/plugin/zones.h"
#include "plugins/cache/config.h"
#include "plugins/cache/metrics.h"
#include "plugins/cache/store.h"
#include "plugins/cache/ttl.h"

namespace coredns::plugins::cache {

// Where the cache reads the time: monotonic nanoseconds for ages, Unix seconds for RRSIG
// validity. Tests substitute their own.
struct Clock {
  static int64_t steady_ns();
  static int64_t unix_now();
  int64_t (*monotonic_ns)() = &steady_ns;
  int64_t (*unix_seconds)() = &unix_now;
};

class Cache final : public Handler {
 public:
  explicit Cache(CacheConfig config, Clock clock = {});
  std::string_view name() const override { return "cache"; }
  // A hit is the same for every client until it expires (Response::fresh_for).
  Reuse reply_reuse() const override { return Reuse::source; }
  Task<Response> serve(Request& req, Next next) override;

  Store& store() { return store_; }

 private:
  // How a reply from the rest of the chain is taken in.
  enum class Mode : uint8_t {
    miss,      // the client's own query: stored when cacheable
    prefetch,  // a fresh item refreshed early: stored when cacheable
    stale,     // a stale item refreshed: only an acceptable reply is stored (plugins/cache/README.md)
  };
  struct Found {
    bool stale = false;
    bool refresh = false;  // a background refresh was claimed for the item
    bool verify = false;   // stale in verify mode: refresh before answering
    uint64_t generation = 0;
    uint32_t hits = 0;
    uint16_t rcode = 0;
    uint32_t fresh_for = 0;  // Response::fresh_for: a fresh hit's seconds left, 0 when stale
    metrics::Counter* hit_counter = nullptr;  // the hits series it counted in
    std::vector<uint8_t> reply;
  };
  // What a refresh needs to finish: the item it refreshes and how to take the reply in.
  struct Refresh {
    Key key;
    uint64_t generation = 0;
    Mode mode = Mode::prefetch;
    uint32_t hits = 0;     // inherited by the new item
    bool claimed = false;  // the item's `refreshing` flag is ours to clear
    Series series;
  };
  struct Outcome {
    bool accepted = false;  // stale mode: the reply may replace the stale item
    bool deliver = false;   // verify mode: the reply goes to the client
    bool stored = false;
  };
  struct Refreshed {
    Response reply;
    Outcome outcome;
  };

  bool usable(const Entry& e, int64_t now) const;
  Entry* pick(Shard& s, const Key& key, const dns::Name& lowered, int64_t now) const;
  bool lookup(const Request& req, const Key& key, int64_t now, const Series& m, Found& f);
  // By value: the coroutines outlive serve()'s locals.
  Task<Response> miss(Request& req, Key key, Next next, Series m);
  // verify mode: the stale item `f` is served when the refresh does not deliver in time.
  Task<Response> verify_stale(Request& req, Next next, Refresh r, Found f);
  Response hit(Found f, const Series& m) const;
  Task<std::optional<Response>> verify(const Request& req, Next next, Refresh r);
  Task<Refreshed> refresh(std::unique_ptr<Request> sub, Next next, Refresh r);
  Task<void> refresh_in_background(std::unique_ptr<Request> sub, Next next, Refresh r);
  void finish_refresh(const Refresh& r, bool failed);
  // What a reply from next is, for storing: CoreDNS's response type, refined by whether the
  // answer answers the question.
  struct Judged {
    dns::ResponseType type = dns::ResponseType::no_error;
    Kind kind = Kind::success;
    uint16_t rcode = 0;
    bool tc = false;
    bool matches = false;   // the reply's question is the key's
    bool answers = false;   // the answer section answers the question
    bool storable = true;
  };
  Judged judge(const dns::MessageView& view, const Request& sub, const Key& key) const;
  // The TTL rule for the reply's records; `duration` is how long the entry lives.
  TtlRule ttl_rule(const dns::MessageView& view, const Judged& j, Duration& duration) const;
  // Flattens a reply from next in place and stores it by `mode`'s rules.
  Outcome take_in(Response& resp, const Request& sub, const Key& key, Mode mode,
                  const Series& m, uint32_t inherit_hits);
  void store(const std::vector<uint8_t>& wire, const std::vector<uint16_t>& ttl_offsets,
             const std::vector<uint32_t>& record_ttls, const Key& key, const dns::Name& lowered,
             const Judged& j, uint32_t ttl, uint32_t inherit_hits, const Series& m);
  void put(std::unique_ptr<Entry> e, const Series& m);
  // The client's AD rule: AD stays only for clients that set DO or AD.
  static void apply_client_ad(const Request& req, Response& resp);

  CacheConfig cfg_;
  Clock clock_;
  ZoneSet zones_;
  ZoneSet disable_success_;
  ZoneSet disable_denial_;
  int64_t stale_window_ = 0;  // whole seconds an expired item may still be served
  Store store_;
  SeriesTable series_;
  std::atomic<uint64_t> generation_{0};
};

}  // namespace coredns::plugins::cache
