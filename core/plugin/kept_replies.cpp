#include "core/plugin/kept_replies.h"

#include <time.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <new>

#include "core/async/loop.h"
#include "core/async/worker_id.h"
#include "core/dns/buffers.h"
#include "core/dns/header.h"
#include "core/dns/message.h"
#include "core/dns/types.h"
#include "core/dns/wire.h"

namespace coredns {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;

// The question's name is stored whole (the first name of a message has no pointer).
bool same_name_but_case(const dns::MessageView& v, std::span<const uint8_t> name) {
  const dns::Question& q = v.question();
  return dns::octets_equal_ci(v.bytes().subspan(q.name_offset, q.name_length), name);
}

}  // namespace

int64_t monotonic_ns() {
  // On a loop's thread (a worker), the loop's time: libuv reads the same monotonic clock once per
  // wake-up, which saves a read of the clock per query.
  if (uv_loop_t* loop = async::current_loop())
    return static_cast<int64_t>(uv_now(loop)) * (kNanosPerSecond / 1000);
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return int64_t{ts.tv_sec} * kNanosPerSecond + ts.tv_nsec;
}

KeptReplies::KeptReplies(int64_t (*now_ns)())
    : now_ns_(now_ns),
      tables_(std::make_unique<Table[]>(static_cast<size_t>(async::worker_slots()))),
      table_count_(async::worker_slots()) {}

KeptReplies::Table& KeptReplies::table() {
  const int i = async::worker_index();
  return tables_[static_cast<size_t>(i < table_count_ ? i : table_count_ - 1)];
}

// Placed at the start of an entry's allocation, followed by `ttl_count` TtlSlot, `key_size`
// octets of key and `wire_size` octets of message.
struct KeptReplies::Kept {
  struct TtlSlot {
    uint32_t ttl;     // when kept
    uint16_t offset;  // in the message
  };
  ReuseCounters counters{};
  uint16_t key_size = 0;
  uint16_t wire_size = 0;
  uint16_t ttl_count = 0;

  static const Kept& of(const uint8_t* p) {
    return *std::launder(reinterpret_cast<const Kept*>(p));
  }
  const TtlSlot* ttls() const {
    const uint8_t* after = reinterpret_cast<const uint8_t*>(this) + sizeof(Kept);
    return std::launder(reinterpret_cast<const TtlSlot*>(after));
  }
  const uint8_t* key() const { return reinterpret_cast<const uint8_t*>(ttls() + ttl_count); }
  const uint8_t* wire() const { return key() + key_size; }
};

bool KeptReplies::Entry::matches(uint64_t h, std::span<const uint8_t> k) const {
  if (!life || hash != h) return false;
  const Kept& e = Kept::of(kept.get());
  return e.key_size == k.size() && std::memcmp(e.key(), k.data(), k.size()) == 0;
}

std::optional<KeptReplies::Hit> KeptReplies::find(uint64_t hash, std::span<const uint8_t> key,
                                                  std::span<const uint8_t> question_name,
                                                  std::vector<uint8_t>& out) {
  Table& t = table();
  if (t.buckets.empty()) return std::nullopt;
  Entry* bucket = t.buckets[hash % kBuckets].ways;
  for (size_t w = 0; w < kWays; ++w) {
    Entry& entry = bucket[w];
    if (!entry.matches(hash, key)) continue;
    const int64_t age = (now_ns_() - entry.stored_ns) / kNanosPerSecond;
    if (age >= entry.life) {
      entry.life = 0;  // expired: the way is free again
      return std::nullopt;
    }
    const Kept& e = Kept::of(entry.kept.get());
    if (out.capacity() == 0) out = dns::take_buffer();
    out.assign(e.wire(), e.wire() + e.wire_size);
    uint8_t* p = out.data();
    // The key holds the name, and keep() checked the kept question is that name but for case:
    // this one has the same labels, so the names that point into it stay what they were.
    std::memcpy(p + dns::kHeaderSize, question_name.data(), question_name.size());
    // Every record's TTL is at least `life`, so none goes below 1.
    const Kept::TtlSlot* ttls = e.ttls();
    for (uint16_t i = 0; i < e.ttl_count; ++i)
      dns::store32(p + ttls[i].offset, static_cast<uint32_t>(ttls[i].ttl - age));
    return Hit{static_cast<uint32_t>(entry.life - age), e.counters};
  }
  return std::nullopt;
}

void KeptReplies::prefetch(uint64_t hash) {
  Table& t = table();
  if (!t.buckets.empty()) __builtin_prefetch(&t.buckets[hash % kBuckets]);
}

bool KeptReplies::prefetch_reply(uint64_t hash) {
  Table& t = table();
  if (t.buckets.empty()) return false;
  bool any = false;
  for (const Entry& e : t.buckets[hash % kBuckets].ways) {
    if (e.life && e.hash == hash) {
      __builtin_prefetch(e.kept.get());
      any = true;
    }
  }
  return any;
}

bool KeptReplies::keep(uint64_t hash, std::span<const uint8_t> key,
                       std::span<const uint8_t> reply, std::span<const uint8_t> question_name,
                       uint32_t life, bool cut_opt, const ReuseCounters& counters) {
  if (life == 0 || reply.size() > kMaxWire || key.size() > UINT16_MAX) return false;
  dns::MessageView v;
  if (v.parse(reply) != dns::MessageView::Error::none || !v.has_question() ||
      v.header().has(dns::Header::TC) || !same_name_but_case(v, question_name))
    return false;
  std::vector<Kept::TtlSlot> ttls;
  size_t end = v.size();
  uint16_t arcount = v.header().arcount;
  for (int s = 0; s < 3; ++s) {
    for (const dns::RecordView& rr : v.records(static_cast<dns::Section>(s))) {
      if (rr.type == dns::type::OPT) {
        // Its TTL field holds the extended rcode and flags, not a TTL.
        if (!cut_opt) continue;
        if (rr.end() != v.size()) return false;  // only a final OPT can be cut off
        end = rr.offset;
        --arcount;
        continue;
      }
      life = std::min(life, rr.ttl);
      ttls.push_back({rr.ttl, static_cast<uint16_t>(rr.ttl_offset)});
    }
  }
  if (life == 0) return false;

  Entry entry;
  entry.kept = std::make_unique<uint8_t[]>(sizeof(Kept) + ttls.size() * sizeof(Kept::TtlSlot) +
                                           key.size() + end);
  Kept* e = new (entry.kept.get()) Kept;
  e->counters = counters;
  e->key_size = static_cast<uint16_t>(key.size());
  e->wire_size = static_cast<uint16_t>(end);
  e->ttl_count = static_cast<uint16_t>(ttls.size());
  std::uninitialized_copy(ttls.begin(), ttls.end(),
                          reinterpret_cast<Kept::TtlSlot*>(entry.kept.get() + sizeof(Kept)));
  uint8_t* key_at = entry.kept.get() + sizeof(Kept) + ttls.size() * sizeof(Kept::TtlSlot);
  std::memcpy(key_at, key.data(), key.size());
  uint8_t* wire_at = key_at + key.size();
  std::memcpy(wire_at, reply.data(), end);
  dns::store16(wire_at + 10, arcount);
  entry.hash = hash;
  entry.stored_ns = now_ns_();
  entry.life = life;

  Table& t = table();
  if (t.buckets.empty()) t.buckets.resize(kBuckets);
  Entry* bucket = t.buckets[hash % kBuckets].ways;
  // The same key's way, else a free one, else the one kept longer ago.
  Entry* into = nullptr;
  for (size_t w = 0; w < kWays && !into; ++w)
    if (bucket[w].matches(hash, key)) into = &bucket[w];
  for (size_t w = 0; w < kWays && !into; ++w)
    if (!bucket[w].life) into = &bucket[w];
  if (!into) {
    into = &bucket[0];
    for (size_t w = 1; w < kWays; ++w)
      if (bucket[w].stored_ns < into->stored_ns) into = &bucket[w];
  }
  *into = std::move(entry);
  return true;
}

}  // namespace coredns
