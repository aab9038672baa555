#pragma once
// Synthesized answers kept per worker, so that the next AAAA query for the name costs about what
// a cache hit costs: no A lookup through the server, no parse of the A reply, no assembly. The
// bytes kept are the ones `assemble` wrote (KeptReplies); a hit also patches the header from
// recursive_reply_header for the new client.
//
// dns64 keeps an answer only for as long as the replies it was built from were promised fresh
// (Response::fresh_for, given by the cache below) and no record's TTL runs out, so an answer
// never outlives the A record (or the negative AAAA answer) it came from. The key is everything
// of the query that the sub-lookups' replies may depend on when the chain between dns64 and the
// cache is question-only: the lower-cased name, DO, CD and the client's size limit (a truncated
// A reply differs). The store belongs to one dns64 instance, so a reload or another policy
// starts empty.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/plugin/kept_replies.h"
#include "core/plugin/request.h"

namespace coredns::plugins::dns64 {

class AnswerStore {
 public:
  // `now_ns`: a monotonic clock in nanoseconds (tests substitute their own).
  explicit AnswerStore(int64_t (*now_ns)()) : kept_(now_ns) {}

  // The kept answer to `req` into `out`, ready to be scrubbed for the client, and the seconds
  // it has left; nothing when none is kept or it has expired.
  std::optional<uint32_t> find(const Request& req, std::vector<uint8_t>& out);
  // Keeps `reply`, written by `assemble` for `req`, for `life` seconds at most (less when one of
  // its records has a smaller TTL). Replies that carry TC, weigh more than KeptReplies::kMaxWire
  // or do not parse are not kept.
  void keep(const Request& req, std::span<const uint8_t> reply, uint32_t life);

 private:
  KeptReplies kept_;
};

}  // namespace coredns::plugins::dns64
