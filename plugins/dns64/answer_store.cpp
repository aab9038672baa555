#include "plugins/dns64/answer_store.h"

#include <chrono>
#include <cstring>

#include "core/async/worker_id.h"
#include "core/dns/buffers.h"
#include "core/dns/header.h"
#include "core/dns/message.h"
#include "core/dns/types.h"
#include "plugins/dns64/synthesis.h"

namespace coredns::plugins::dns64 {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;

}  // namespace

int64_t monotonic_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

AnswerStore::AnswerStore(int64_t (*now_ns)())
    : now_ns_(now_ns),
      tables_(std::make_unique<Table[]>(static_cast<size_t>(async::worker_slots()))),
      table_count_(async::worker_slots()) {}

AnswerStore::Table& AnswerStore::table() {
  const int i = async::worker_index();
  return tables_[static_cast<size_t>(i < table_count_ ? i : table_count_ - 1)];
}

uint64_t AnswerStore::hash_of(const Request& req) {
  // The name and the other key fields; the low bits pick the bucket.
  const uint64_t fields =
      uint64_t{req.size_limit()} << 8 | static_cast<uint64_t>(req.do_bit() << 1 | req.cd_bit());
  return dns::hash_name(fields, req.qname_lower());
}

bool AnswerStore::matches(const Answer& a, uint64_t hash, const Request& req) {
  const dns::Name& lower = req.qname_lower();
  return a.life && a.hash == hash && a.do_bit == req.do_bit() && a.cd_bit == req.cd_bit() &&
         a.size_limit == req.size_limit() && a.wire.size() > dns::kHeaderSize + lower.size() &&
         std::memcmp(a.wire.data() + dns::kHeaderSize, lower.data(), lower.size()) == 0;
}

bool AnswerStore::find(const Request& req, std::vector<uint8_t>& out) {
  Table& t = table();
  if (t.ways.empty()) return false;
  const uint64_t hash = hash_of(req);
  Answer* bucket = &t.ways[(hash % kBuckets) * kWays];
  for (size_t w = 0; w < kWays; ++w) {
    Answer& a = bucket[w];
    if (!matches(a, hash, req)) continue;
    const int64_t age = (now_ns_() - a.stored_ns) / kNanosPerSecond;
    if (age >= a.life) {
      a.life = 0;  // expired: the way is free again
      return false;
    }
    if (out.capacity() == 0) out = dns::take_buffer();
    out.assign(a.wire.begin(), a.wire.end());
    uint8_t* p = out.data();
    // The header as the builder writes it for this client (`assemble` keeps only its rcode
    // here: a kept answer has synthesized records, so no AD, and no TC).
    dns::Header h = recursive_reply_header(req.msg());
    h.set_rcode(dns::load16(p + 2) & 0xF);
    dns::store16(p, h.id);
    dns::store16(p + 2, h.flags);
    std::memcpy(p + dns::kHeaderSize, req.qname().data(), req.qname().size());
    // Every record's TTL is at least `life`, so none goes below 1.
    for (const auto& [offset, ttl] : a.ttls) dns::store32(p + offset, static_cast<uint32_t>(ttl - age));
    return true;
  }
  return false;
}

void AnswerStore::keep(const Request& req, std::span<const uint8_t> reply, uint32_t life) {
  if (life == 0 || reply.size() > kMaxWire) return;
  dns::MessageView v;
  const dns::Name& lower = req.qname_lower();
  // The kept bytes get the query's name written over the question's (here and in find): only a
  // question name of that very length may be overwritten.
  if (v.parse(reply) != dns::MessageView::Error::none || !v.has_question() ||
      v.header().has(dns::Header::TC) || v.question().name_length != lower.size())
    return;
  Answer a;
  size_t end = v.size();
  uint16_t arcount = v.header().arcount;
  for (int s = 0; s < 3; ++s) {
    for (const dns::RecordView& rr : v.records(static_cast<dns::Section>(s))) {
      if (rr.type == dns::type::OPT) {
        // Left to the scrub, which writes the client's own; only a final OPT can be cut off.
        if (rr.end() != v.size()) return;
        end = rr.offset;
        --arcount;
        continue;
      }
      if (rr.ttl < life) life = rr.ttl;
      a.ttls.emplace_back(static_cast<uint16_t>(rr.ttl_offset), rr.ttl);
    }
  }
  if (life == 0) return;
  a.wire.assign(reply.begin(), reply.begin() + static_cast<std::ptrdiff_t>(end));
  dns::store16(a.wire.data() + 10, arcount);
  std::memcpy(a.wire.data() + dns::kHeaderSize, lower.data(), lower.size());
  a.hash = hash_of(req);
  a.stored_ns = now_ns_();
  a.life = life;
  a.size_limit = req.size_limit();
  a.do_bit = req.do_bit();
  a.cd_bit = req.cd_bit();

  Table& t = table();
  if (t.ways.empty()) t.ways.resize(kBuckets * kWays);
  Answer* bucket = &t.ways[(a.hash % kBuckets) * kWays];
  // The same key's way, else a free one, else the one kept longer ago.
  Answer* into = nullptr;
  for (size_t w = 0; w < kWays && !into; ++w)
    if (matches(bucket[w], a.hash, req)) into = &bucket[w];
  for (size_t w = 0; w < kWays && !into; ++w)
    if (!bucket[w].life) into = &bucket[w];
  if (!into) {
    into = &bucket[0];
    for (size_t w = 1; w < kWays; ++w)
      if (bucket[w].stored_ns < into->stored_ns) into = &bucket[w];
  }
  *into = std::move(a);
}

}  // namespace coredns::plugins::dns64
