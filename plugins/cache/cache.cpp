#include "plugins/cache/cache.h"

#include <chrono>
#include <coroutine>
#include <cstring>
#include <limits>

#include "core/async/loop.h"
#include "core/dns/error_reply.h"
#include "core/dns/types.h"
#include "core/plugin/background.h"
#include "plugins/cache/answers.h"
#include "plugins/cache/ttl.h"

namespace coredns::plugins::cache {
namespace {

using dns::ResponseType;

std::string join(const std::vector<std::string>& zones) {
  std::string out;
  for (const auto& z : zones) out += (out.empty() ? "" : ",") + z;
  return out;
}

bool has_soa(const dns::MessageView& view) {
  for (const dns::RecordView& rr : view.records(dns::Section::authority))
    if (rr.type == dns::type::SOA) return true;
  return false;
}

// The stored question (written out, lower-cased, at offset 12) is the key's.
bool same_question(const Entry& e, const Key& k, const dns::Name& lowered) {
  if (e.qtype != k.qtype || e.qclass != k.qclass || e.do_bit != k.do_bit || e.cd_bit != k.cd_bit)
    return false;
  const auto wire = e.wire();
  return wire.size() >= dns::kHeaderSize + lowered.size() &&
         std::memcmp(wire.data() + dns::kHeaderSize, lowered.data(), lowered.size()) == 0;
}

// The verify timeout's race between a refresh and a timer, on one worker thread.
struct Race {
  std::coroutine_handle<> waiter;
  bool done = false;
  Response reply;
  bool deliver = false;

  void wake() {
    if (auto h = std::exchange(waiter, {})) h.resume();
  }
  struct Wait {
    Race& race;
    bool await_ready() const noexcept { return race.done; }
    void await_suspend(std::coroutine_handle<> h) noexcept { race.waiter = h; }
    void await_resume() const noexcept {}
  };
};

}  // namespace

int64_t Clock::steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t Clock::unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Cache::Cache(CacheConfig config, Clock clock)
    : cfg_(std::move(config)),
      clock_(clock),
      zones_(cfg_.zones),
      disable_success_(cfg_.disable_success),
      disable_denial_(cfg_.disable_denial),
      stale_window_(cfg_.serve_stale
                        ? std::chrono::duration_cast<std::chrono::seconds>(cfg_.stale_up_to).count()
                        : 0),
      store_(cfg_.success_capacity, cfg_.denial_capacity),
      series_(join(cfg_.zones)) {}

bool Cache::usable(const Entry& e, int64_t now) const {
  const int64_t left = e.remaining(now);
  return left > 0 || (stale_window_ > 0 && -left < stale_window_);
}

// CoreDNS's plugin/cache/handler.go (getIfNotStale): prefer_positive's positive answer first; then
// a usable negative item, unless it is a SERVFAIL and a usable positive item exists; then the
// positive item.
Entry* Cache::pick(Shard& s, const Key& key, const dns::Name& lowered, int64_t now) const {
  Entry* pos = s.success.find(key.hash);
  if (pos && !same_question(*pos, key, lowered)) pos = nullptr;
  if (cfg_.prefer_positive && pos) {
    if (pos->answers && usable(*pos, now)) return pos;
    if (pos->last_good && usable(*pos->last_good, now)) return pos->last_good.get();
  }
  const bool pos_usable = pos && usable(*pos, now);
  Entry* neg = s.denial.find(key.hash);
  if (neg && same_question(*neg, key, lowered) && usable(*neg, now))
    return neg->servfail && pos_usable ? pos : neg;
  return pos_usable ? pos : nullptr;
}

bool Cache::lookup(const Request& req, const Key& key, int64_t now, const Series& m, Found& f) {
  Shard& s = store_.shard(key.hash);
  std::lock_guard<std::mutex> lock(s.mu);
  Entry* e = pick(s, key, req.qname_lower(), now);
  if (!e) return false;
  f.hit_counter = e->kind == Kind::success ? m.hits_success : m.hits_denial;
  f.hit_counter->inc();
  e->referenced = true;
  const int64_t left = e->remaining(now);
  f.stale = left <= 0;
  f.generation = e->generation;
  HitTtl ttl;
  if (!f.stale) {
    ttl.ttl = cfg_.keepttl ? e->orig_ttl : static_cast<uint32_t>(left);
    ttl.per_record = true;
    ttl.age = cfg_.keepttl ? 0 : e->orig_ttl - left;
    // keepttl: a kept reply would age, the cache's does not, so no promise.
    int64_t fresh = cfg_.keepttl ? 0 : left;
    if (cfg_.prefetch > 0) {
      const int64_t window = cfg_.prefetch_duration.count();
      e->hits = (now - e->last_hit_ns > window) ? 1 : e->hits + 1;
      e->last_hit_ns = now;
      // ceil(PERCENTAGE% of the original TTL): at least 1 s for any TTL.
      const int64_t threshold =
          (static_cast<int64_t>(cfg_.prefetch_percentage) * e->orig_ttl + 99) / 100;
      if (e->hits >= cfg_.prefetch && left <= threshold && !e->refreshing) {
        e->refreshing = true;
        f.refresh = true;
      }
      // A handler above that kept the reply would hide the hits prefetch counts: it may keep
      // it only until the item enters its prefetch window.
      fresh -= threshold;
    }
    f.fresh_for = fresh > 0 ? static_cast<uint32_t>(fresh) : 0;
  } else {
    ttl.ttl = cfg_.stale_response_ttl;
    const bool recheck_wait = cfg_.failure_recheck.count() > 0 && e->refresh_failed &&
                              now - e->failed_ns < cfg_.failure_recheck.count();
    if (recheck_wait) {
      // FAILURE_RECHECK: serve stale without asking upstream again yet.
    } else if (cfg_.verify) {
      f.verify = true;
    } else if (!e->refreshing) {
      e->refreshing = true;
      f.refresh = true;
    }
  }
  f.hits = e->hits;
  f.rcode = e->rcode();
  render_hit(*e, req, ttl, f.reply);
  return true;
}

Task<Response> Cache::serve(Request& req, Next next) {
  if (!zones_.contains(req.qname_lower())) return next(req);
  const Series m = series_.get(req);
  m.requests->inc();
  const Key key = make_key(req.qname_lower(), req.qtype(), req.qclass(), req.do_bit(),
                           req.cd_bit());
  Found f;
  if (!lookup(req, key, clock_.monotonic_ns(), m, f)) {
    m.misses->inc();
    return miss(req, key, next, m);
  }
  if (f.verify)
    return verify_stale(req, next, Refresh{key, f.generation, Mode::stale, f.hits, false, m},
                        std::move(f));
  if (f.refresh) {
    m.prefetch->inc();
    Refresh r{key, f.generation, f.stale ? Mode::stale : Mode::prefetch, f.hits, true, m};
    run_in_background(req.hold_config(),
                      refresh_in_background(req.with_flags(dns::Header::AD), next, r));
  }
  // A hit answers at once: no coroutine (Task::ready).
  return Task<Response>::ready(hit(std::move(f), m));
}

Response Cache::hit(Found f, const Series& m) const {
  if (f.stale) m.served_stale->inc();
  Response resp = Response::reply(std::move(f.reply), f.rcode, name());
  resp.fresh_for = f.fresh_for;
  if (f.fresh_for) resp.on_reuse = {m.requests, f.hit_counter};
  resp.plain = true;  // an entry is stored without OPT, cut at its last record (flatten_reply)
  return resp;
}

Task<Response> Cache::verify_stale(Request& req, Next next, Refresh r, Found f) {
  std::optional<Response> fresh = co_await verify(req, next, r);
  if (fresh) {
    fresh->fresh_for = 0;
    co_return std::move(*fresh);
  }
  co_return hit(std::move(f), r.series);
}

Task<Response> Cache::miss(Request& req, Key key, Next next, Series m) {
  // AD=1 upstream, so one entry serves clients that set AD and clients that do not.
  std::unique_ptr<Request> sub = req.with_flags(dns::Header::AD);
  Response resp = co_await next(*sub);
  if (!resp.written()) {
    // The server writes these replies itself, after the cache: CoreDNS never caches them.
    // With cache_failures, a SERVFAIL (no upstream answered) is kept like a received one.
    if (cfg_.cache_failures && resp.rcode == dns::rcode::SERVFAIL) {
      Response failure = Response::reply(dns::error_reply(sub->msg(), resp.rcode), resp.rcode);
      take_in(failure, *sub, key, Mode::miss, m, 0);
    }
    resp.fresh_for = 0;  // the promise is the cache's own, for its hits
    co_return resp;
  }
  take_in(resp, *sub, key, Mode::miss, m, 0);
  apply_client_ad(req, resp);
  resp.fresh_for = 0;
  co_return resp;
}

Task<std::optional<Response>> Cache::verify(const Request& req, Next next, Refresh r) {
  std::unique_ptr<Request> sub = req.with_flags(dns::Header::AD);
  if (cfg_.verify_timeout.count() <= 0) {
    Refreshed got = co_await refresh(std::move(sub), next, r);
    if (!got.outcome.deliver) co_return std::nullopt;
    apply_client_ad(req, got.reply);
    co_return std::move(got.reply);
  }
  // The refresh races a timer; if the timer wins, the stale item is served and the refresh goes
  // on in the background, still able to update the cache.
  auto race = std::make_shared<Race>();
  auto contender = [](Cache* self, std::shared_ptr<Race> race, std::unique_ptr<Request> sub,
                      Next next, Refresh r) -> Task<void> {
    Refreshed got = co_await self->refresh(std::move(sub), next, r);
    race->reply = std::move(got.reply);
    race->deliver = got.outcome.deliver;
    race->done = true;
    race->wake();
  };
  run_in_background(req.hold_config(), contender(this, race, std::move(sub), next, r));
  if (!race->done) {
    uv_timer_t* timer = async::start_timer(async::current_loop(), cfg_.verify_timeout, false,
                                           [race] { race->wake(); });
    co_await Race::Wait{*race};
    async::cancel_timer(timer);
  }
  if (!race->done || !race->deliver) co_return std::nullopt;
  apply_client_ad(req, race->reply);
  co_return std::move(race->reply);
}

Task<Cache::Refreshed> Cache::refresh(std::unique_ptr<Request> sub, Next next, Refresh r) {
  Refreshed got;
  try {
    got.reply = co_await next(*sub);
  } catch (...) {
    got.reply = Response();
  }
  if (got.reply.written()) got.outcome = take_in(got.reply, *sub, r.key, r.mode, r.series, r.hits);
  finish_refresh(r, r.mode == Mode::stale && !got.outcome.accepted);
  co_return got;
}

Task<void> Cache::refresh_in_background(std::unique_ptr<Request> sub, Next next, Refresh r) {
  (void)co_await refresh(std::move(sub), next, r);
}

void Cache::finish_refresh(const Refresh& r, bool failed) {
  const int64_t now = clock_.monotonic_ns();
  Shard& s = store_.shard(r.key.hash);
  std::lock_guard<std::mutex> lock(s.mu);
  for (Entry* e : {s.success.find(r.key.hash), s.denial.find(r.key.hash)}) {
    for (; e; e = e->last_good.get()) {
      if (e->generation != r.generation) continue;
      if (r.claimed) e->refreshing = false;
      if (failed) {
        e->refresh_failed = true;
        e->failed_ns = now;
      }
      return;
    }
  }
}

Cache::Judged Cache::judge(const dns::MessageView& view, const Request& sub, const Key& key) const {
  Judged j;
  const dns::Header& h = view.header();
  j.tc = h.has(dns::Header::TC);
  j.rcode = dns::full_rcode(view);
  j.matches = h.has(dns::Header::QR) && h.qdcount == 1 && view.has_question() &&
              view.question().qtype == key.qtype && view.question().qclass == key.qclass &&
              dns::name_equals_ci(view.bytes(), view.question().name_offset, sub.qname_lower());
  j.type = dns::typify(view, clock_.unix_seconds());
  const bool soa = has_soa(view);
  if (j.type == ResponseType::no_error && h.ancount > 0 && view.has_question()) {
    // Judged against the reply's own question: a reply to another question is a drop below.
    j.answers = answers_question(view, view.question_name().lowered(), view.question().qtype,
                                 view.question().qclass);
    // An answer that does not answer (a CNAME to nothing of the type) is NODATA with an SOA,
    // and an incomplete chain without one.
    if (!j.answers) {
      if (soa)
        j.type = ResponseType::no_data;
      else
        j.storable = false;
    }
  }
  switch (j.type) {
    case ResponseType::name_error: j.storable = j.storable && soa; break;
    case ResponseType::no_error:
    case ResponseType::delegation:
    case ResponseType::no_data:
    case ResponseType::server_error: break;
    default: j.storable = false;
  }
  j.storable = j.storable && !j.tc;
  j.kind = (j.type == ResponseType::name_error || j.type == ResponseType::no_data ||
            j.type == ResponseType::server_error)
               ? Kind::denial
               : Kind::success;
  return j;
}

// CoreDNS's plugin/cache/cache.go (set): how long the reply lives, which is also the TTL of all
// its records. With rrset_ttls, the records of the kinds whose TTLs count keep their own TTL,
// clamped the same way; the entry still lives as long as the smallest.
TtlRule Cache::ttl_rule(const dns::MessageView& view, const Judged& j,
                        Duration& duration) const {
  const bool counted = j.type == ResponseType::no_error || j.type == ResponseType::name_error ||
                       j.type == ResponseType::no_data;
  TtlRule rule;
  if (j.type == ResponseType::server_error) {
    duration = cfg_.servfail;
  } else {
    const bool denial = j.kind == Kind::denial;
    rule.min = denial ? cfg_.denial_min_ttl : cfg_.success_min_ttl;
    rule.max = denial ? cfg_.denial_ttl : cfg_.success_ttl;
    rule.soa_minimum = denial && cfg_.rfc2308;
    rule.per_record = counted && cfg_.rrset_ttls;
    const int64_t t = counted ? smallest_ttl(view, rule.max, rule.soa_minimum) : kDefaultTtl;
    duration = std::chrono::seconds(clamp_ttl(t, rule.min, rule.max));
  }
  const int64_t secs = std::chrono::duration_cast<std::chrono::seconds>(duration).count();
  rule.flat = static_cast<uint32_t>(
      std::min<int64_t>(std::max<int64_t>(secs, 0), std::numeric_limits<uint32_t>::max()));
  return rule;
}

Cache::Outcome Cache::take_in(Response& resp, const Request& sub, const Key& key, Mode mode,
                              const Series& m, uint32_t inherit_hits) {
  Outcome out;
  resp.scrubbed = false;
  dns::MessageView view;
  if (view.parse(resp.wire) != dns::MessageView::Error::none) return out;
  Judged j = judge(view, sub, key);
  Duration duration;
  const TtlRule rule = ttl_rule(view, j, duration);

  if (mode == Mode::stale) {
    out.accepted = !j.tc && j.matches && j.type != ResponseType::other_error &&
                   j.type != ResponseType::meta && j.type != ResponseType::update &&
                   (j.rcode == dns::rcode::NOERROR || j.rcode == dns::rcode::NXDOMAIN);
    // prefer_positive in verify mode: only a real answer replaces what the client gets.
    out.deliver =
        out.accepted && (!cfg_.prefer_positive || (j.kind == Kind::success && j.answers));
    j.storable = j.storable && out.accepted;
  }

  std::vector<uint16_t> ttl_offsets;
  std::vector<uint32_t> record_ttls;
  flatten_reply(resp.wire, view, rule, ttl_offsets, record_ttls);  // `view` is stale from here on

  if (!j.storable || duration.count() <= 0) return out;
  if (!j.matches) {
    m.drops->inc();
    return out;
  }
  const ZoneSet& disabled = j.kind == Kind::success ? disable_success_ : disable_denial_;
  if (disabled.contains(sub.qname_lower())) return out;
  store(resp.wire, ttl_offsets, record_ttls, key, sub.qname_lower(), j, rule.flat, inherit_hits, m);
  out.stored = true;
  return out;
}

void Cache::store(const std::vector<uint8_t>& wire, const std::vector<uint16_t>& ttl_offsets,
                  const std::vector<uint32_t>& record_ttls, const Key& key,
                  const dns::Name& lowered, const Judged& j, uint32_t ttl, uint32_t inherit_hits,
                  const Series& m) {
  auto e = Entry::make(wire, ttl_offsets, record_ttls);
  // A lookup compares the stored question's bytes (a hit writes the client's case over them).
  e->lower_question(lowered);
  e->hash = key.hash;
  e->generation = generation_.fetch_add(1, std::memory_order_relaxed) + 1;
  e->stored_ns = clock_.monotonic_ns();
  e->orig_ttl = ttl;
  e->qtype = key.qtype;
  e->qclass = key.qclass;
  e->do_bit = key.do_bit;
  e->cd_bit = key.cd_bit;
  e->kind = j.kind;
  e->servfail = j.type == ResponseType::server_error;
  e->answers = j.answers;
  e->hits = inherit_hits;
  e->last_hit_ns = e->stored_ns;
  put(std::move(e), m);
}

void Cache::put(std::unique_ptr<Entry> e, const Series& m) {
  const Kind kind = e->kind;
  const uint64_t hash = e->hash;
  const int64_t now = e->stored_ns;
  std::unique_ptr<Entry> dropped, negative;
  bool evicted = false;
  Shard& s = store_.shard(hash);
  {
    std::lock_guard<std::mutex> lock(s.mu);
    Part& part = s.part(kind);
    Entry* fresh = e.get();
    // prefer_positive: a positive reply that does not answer keeps the last one that did.
    bool keep_old = false;
    if (cfg_.prefer_positive && kind == Kind::success && !fresh->answers) {
      Entry* old = part.find(hash);
      if (old && old->qtype == fresh->qtype && old->qclass == fresh->qclass) {
        if (old->answers)
          keep_old = true;
        else
          fresh->last_good = std::move(old->last_good);
      }
    }
    auto dead = [this, now](const Entry& c) {
      return !usable(c, now) && !(c.last_good && usable(*c.last_good, now));
    };
    Part::Put result = part.put(std::move(e), dead);
    evicted = result.evicted;
    if (!result.dropped) store_.count(kind).fetch_add(1, std::memory_order_relaxed);
    if (keep_old && result.dropped && !evicted)
      fresh->last_good = std::move(result.dropped);
    else
      dropped = std::move(result.dropped);
    // A positive answer ends any negative one for the same question.
    if (kind == Kind::success) {
      negative = s.denial.remove(hash);
      if (negative) store_.count(Kind::denial).fetch_sub(1, std::memory_order_relaxed);
    }
  }
  if (evicted) (kind == Kind::success ? m.evictions_success : m.evictions_denial)->inc();
  m.entries_success->set(static_cast<double>(store_.count(Kind::success).load()));
  m.entries_denial->set(static_cast<double>(store_.count(Kind::denial).load()));
}

void Cache::apply_client_ad(const Request& req, Response& resp) {
  if (req.do_bit() || req.msg().header().has(dns::Header::AD)) return;
  if (resp.wire.size() >= dns::kHeaderSize) resp.wire[3] &= static_cast<uint8_t>(~dns::Header::AD);
}

}  // namespace coredns::plugins::cache
