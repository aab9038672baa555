#pragma once
// Replies kept per worker for as long as the handler that wrote them promised them fresh
// (Response::fresh_for), so that the same question asked again is answered by copying bytes:
// dns64's kept answers and the server's kept replies (docs/architecture.md, "Kept replies").
//
// A hit copies the kept message, writes the asking client's question name over the kept one
// (its case: clients that randomise it, 0x20, get their own back) and ages every TTL by the
// seconds since it was kept; the caller patches the header. What a reply may depend on is the
// caller's key, any octet string. An entry lives no longer than its promise nor than its
// smallest TTL, so no TTL a hit writes falls below 1.
//
// Memory: kBuckets * kWays replies per worker at most, each at most kMaxWire octets, whatever
// is asked; a full bucket gives up the reply it kept longest ago.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "core/plugin/response.h"

namespace coredns {

// The monotonic clock in nanoseconds, to a few milliseconds: the stores' clock outside tests. On
// a thread that runs a libuv loop it is the loop's time (milliseconds, read once per wake-up);
// elsewhere CLOCK_MONOTONIC_COARSE. That resolution is nothing against TTLs in whole seconds,
// and it is read on every hit.
int64_t monotonic_ns();

class KeptReplies {
 public:
  static constexpr size_t kBuckets = 4096;
  static constexpr size_t kWays = 2;
  static constexpr size_t kMaxWire = 512;

  // `now_ns`: a monotonic clock in nanoseconds (tests substitute their own).
  explicit KeptReplies(int64_t (*now_ns)() = &monotonic_ns);

  struct Hit {
    uint32_t fresh_for = 0;  // seconds the kept reply has left
    ReuseCounters counters{};
  };
  // The reply kept under `key` into `out`, with `question_name` written over its question's name
  // and its TTLs aged; nothing when none is kept or it has expired. `hash` is the caller's hash
  // of `key`.
  std::optional<Hit> find(uint64_t hash, std::span<const uint8_t> key,
                          std::span<const uint8_t> question_name, std::vector<uint8_t>& out);
  // Ask the memory for what find(hash, ...) will read, without waiting for it, so that a caller
  // overlaps the fetch with work it has to do before find: the bucket, then, once that has
  // arrived, the reply kept under the hash. prefetch_reply is false when no reply is kept
  // under the hash: find would find nothing, and the caller need not make the key.
  void prefetch(uint64_t hash);
  bool prefetch_reply(uint64_t hash);
  // Whether this worker has kept nothing yet (a chain that never promises keeps nothing): then
  // a query need not be hashed at all.
  bool empty() { return table().buckets.empty(); }
  // Keeps `reply` under `key` for `life` seconds at most (less when one of its records has a
  // smaller TTL). An OPT record is not aged; with `cut_opt` it is left out (it must be the last
  // record). Not kept: a reply with TC, heavier than kMaxWire, that does not parse, or whose
  // question name is not `question_name` but for case. The key must hold that name (so find
  // only ever writes the same name over it, in another case, and the names that point into it
  // stay what they were).
  bool keep(uint64_t hash, std::span<const uint8_t> key, std::span<const uint8_t> reply,
            std::span<const uint8_t> question_name, uint32_t life, bool cut_opt,
            const ReuseCounters& counters = {});

 private:
  // A bucket's ways fill one cache line; what a hit reads next (the key, the message, where its
  // TTLs are) lies in one allocation after it: a hit costs two or three memory fetches, which is
  // most of its time when the kernel's packet work has emptied the caches.
  struct Entry {
    uint64_t hash = 0;
    int64_t stored_ns = 0;
    uint32_t life = 0;  // seconds; 0 marks an empty way
    std::unique_ptr<uint8_t[]> kept;  // Kept, its TTL slots, the key, the message
    bool matches(uint64_t h, std::span<const uint8_t> k) const;
  };
  struct Kept;
  struct alignas(64) Bucket {
    Entry ways[kWays];
  };
  static_assert(sizeof(Bucket) == 64, "a bucket is one cache line");
  struct alignas(64) Table {
    std::vector<Bucket> buckets;  // kBuckets, allocated on the first keep
  };

  Table& table();

  int64_t (*now_ns_)();
  std::unique_ptr<Table[]> tables_;
  int table_count_;
};

}  // namespace coredns
