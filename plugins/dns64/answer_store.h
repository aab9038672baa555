#pragma once
// Synthesized answers kept per worker, so that the next AAAA query for the name costs about what
// a cache hit costs: no A lookup through the server, no parse of the A reply, no assembly. The
// bytes kept are the ones `assemble` wrote; a hit copies them and patches what differs between
// two clients (the header from recursive_reply_header, the question's case, the TTLs' age).
//
// dns64 keeps an answer only for as long as the replies it was built from were promised fresh
// (Response::fresh_for, given by the cache below) and no record's TTL runs out, so an answer
// never outlives the A record (or the negative AAAA answer) it came from. The key is everything
// of the query that the sub-lookups' replies may depend on when the chain between dns64 and the
// cache is question-only: the lower-cased name, DO, CD and the client's size limit (a truncated
// A reply differs). The store belongs to one dns64 instance, so a reload or another policy
// starts empty.
//
// Memory: kBuckets * kWays answers per worker at most, each at most kMaxWire bytes of message.
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "core/plugin/request.h"

namespace coredns::plugins::dns64 {

// CLOCK_MONOTONIC in nanoseconds: the store's clock outside tests.
int64_t monotonic_ns();

class AnswerStore {
 public:
  static constexpr size_t kBuckets = 4096;
  static constexpr size_t kWays = 2;
  static constexpr size_t kMaxWire = 512;

  // `now_ns`: a monotonic clock in nanoseconds (tests substitute their own).
  explicit AnswerStore(int64_t (*now_ns)());

  // The kept answer to `req` into `out`, ready to be scrubbed for the client; false when none is
  // kept or it has expired.
  bool find(const Request& req, std::vector<uint8_t>& out);
  // Keeps `reply`, written by `assemble` for `req`, for `life` seconds at most (less when one of
  // its records has a smaller TTL). Replies that carry TC, weigh more than kMaxWire or do not
  // parse are not kept.
  void keep(const Request& req, std::span<const uint8_t> reply, uint32_t life);

 private:
  struct Answer {
    uint64_t hash = 0;
    int64_t stored_ns = 0;
    uint32_t life = 0;  // seconds; 0 marks an empty way
    uint16_t size_limit = 0;
    bool do_bit = false;
    bool cd_bit = false;
    std::vector<std::pair<uint16_t, uint32_t>> ttls;  // (offset in `wire`, TTL when kept)
    std::vector<uint8_t> wire;  // no OPT; the question name lower-cased
  };
  struct alignas(64) Table {
    std::vector<Answer> ways;  // kBuckets * kWays, allocated on the first keep
  };

  Table& table();
  static uint64_t hash_of(const Request& req);
  static bool matches(const Answer& a, uint64_t hash, const Request& req);

  int64_t (*now_ns_)();
  std::unique_ptr<Table[]> tables_;
  int table_count_;
};

}  // namespace coredns::plugins::dns64
