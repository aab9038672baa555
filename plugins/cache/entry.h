#pragma once
// A cached reply: the wire message as stored, where its TTLs sit, and the bookkeeping of
// prefetch and refreshes. A hit is a copy of the bytes plus a few patches (render_hit).
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <vector>

#include "core/dns/message.h"
#include "core/plugin/request.h"
#include "plugins/cache/ttl.h"

namespace coredns::plugins::cache {

enum class Kind : uint8_t { success, denial };  // the positive and the negative cache

inline constexpr int64_t kNanosPerSecond = 1'000'000'000;

// One allocation holds the entry and, behind it, its record TTLs (rrset_ttls only), its TTL
// offsets and the reply bytes: a hit touches one block of memory.
class Entry {
 public:
  // `wire`: the header as received (ID and flags are patched per hit), the question at offset 12
  // written out in full (lower-cased by lower_question once made), no OPT, every TTL at one of `ttl_offsets`; `record_ttls` is empty or
  // holds each record's own TTL, in ttl_offsets order.
  static std::unique_ptr<Entry> make(std::span<const uint8_t> wire,
                                     std::span<const uint16_t> ttl_offsets,
                                     std::span<const uint32_t> record_ttls);
  ~Entry() = default;
  Entry(const Entry&) = delete;
  Entry& operator=(const Entry&) = delete;
  static void operator delete(void* p) { ::operator delete(p); }

  uint64_t hash = 0;
  uint16_t qtype = 0;
  uint16_t qclass = 0;
  bool do_bit = false;
  bool cd_bit = false;
  Kind kind = Kind::success;
  bool servfail = false;  // a SERVFAIL or NOTIMP message
  bool answers = false;   // really answers the question (serve_stale_policy prefer_positive)
  uint32_t orig_ttl = 0;  // seconds
  int64_t stored_ns = 0;  // monotonic
  uint64_t generation = 0;  // tells a refreshed item from the one that replaced it

  // Changed under the shard's lock.
  bool referenced = false;  // CLOCK bit: hit since the hand last passed
  bool refreshing = false;  // a prefetch or stale refresh is in flight
  bool refresh_failed = false;
  uint32_t hits = 0;        // prefetch: hits within the prefetch duration
  int64_t last_hit_ns = 0;
  int64_t failed_ns = 0;    // when the last stale refresh failed (FAILURE_RECHECK)
  // prefer_positive: the answer this non-answering positive entry replaced.
  std::unique_ptr<Entry> last_good;

  std::span<const uint32_t> record_ttls() const {
    return {reinterpret_cast<const uint32_t*>(this + 1), per_record_ ? ttl_count_ : 0u};
  }
  std::span<const uint16_t> ttl_offsets() const {
    return {reinterpret_cast<const uint16_t*>(record_ttls().data() + record_ttls().size()),
            ttl_count_};
  }
  std::span<const uint8_t> wire() const {
    return {reinterpret_cast<const uint8_t*>(ttl_offsets().data() + ttl_count_), wire_size_};
  }

  // Writes `lowered`, the question's name lower-cased, over the stored question at offset 12.
  void lower_question(const dns::Name& lowered);

  // Seconds left: original TTL minus whole seconds elapsed; 0 or less is expired.
  int64_t remaining(int64_t now_ns) const {
    return static_cast<int64_t>(orig_ttl) - (now_ns - stored_ns) / kNanosPerSecond;
  }
  uint16_t rcode() const { return wire()[3] & 0xF; }

 private:
  Entry() = default;
  uint16_t wire_size_ = 0;
  uint16_t ttl_count_ = 0;
  bool per_record_ = false;
};

// Rewrites a parsed reply (`view` over `wire`) the way the cache passes every reply on and stores
// it: OPT records removed and the records' TTLs set by `rule`; the question name ends up written
// out at offset 12. `ttl_offsets` receives where the TTLs are in the result, and `record_ttls`
// (when the rule keeps each record's TTL) what was written there.
void flatten_reply(std::vector<uint8_t>& wire, const dns::MessageView& view, const TtlRule& rule,
                   std::vector<uint16_t>& ttl_offsets, std::vector<uint32_t>& record_ttls);

// The TTLs a hit carries: `ttl` on every record or, for an entry that kept each record's own
// TTL, those TTLs less `age` seconds.
struct HitTtl {
  uint32_t ttl = 0;
  bool per_record = false;
  int64_t age = 0;
};

// Builds the reply to `req` from a stored entry into `out`: the stored bytes with the query's
// ID, opcode, RD and CD, AA set, AD kept only for clients that set DO or AD, the question's case
// as the client wrote it, and the TTLs of `ttl`. Room is left for the client's OPT.
void render_hit(const Entry& e, const Request& req, const HitTtl& ttl, std::vector<uint8_t>& out);

}  // namespace coredns::plugins::cache
