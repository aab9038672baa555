#include "plugins/dns64/answer_store.h"

#include <cstring>

#include "core/dns/header.h"
#include "core/dns/wire.h"
#include "plugins/dns64/synthesis.h"

namespace coredns::plugins::dns64 {
namespace {

// The key: the size limit, DO and CD, then the lower-cased name.
struct Key {
  uint8_t octets[4 + dns::kMaxNameLength];
  size_t size;
  uint64_t hash;
  explicit Key(const Request& req) {
    const dns::Name& lower = req.qname_lower();
    const uint16_t limit = req.size_limit();
    octets[0] = static_cast<uint8_t>(limit >> 8);
    octets[1] = static_cast<uint8_t>(limit);
    octets[2] = req.do_bit();
    octets[3] = req.cd_bit();
    std::memcpy(octets + 4, lower.data(), lower.size());
    size = 4 + lower.size();
    const uint64_t bits = static_cast<uint64_t>(req.do_bit() << 1 | req.cd_bit());
    hash = dns::hash_name(uint64_t{limit} << 8 | bits, lower);
  }
  std::span<const uint8_t> view() const { return {octets, size}; }
};

}  // namespace

std::optional<uint32_t> AnswerStore::find(const Request& req, std::vector<uint8_t>& out) {
  const Key key(req);
  const auto hit = kept_.find(key.hash, key.view(), req.qname().wire(), out);
  if (!hit) return std::nullopt;
  uint8_t* p = out.data();
  // The header as the builder writes it for this client (`assemble` keeps only its rcode
  // here: a kept answer has synthesized records, so no AD, and no TC).
  dns::Header h = recursive_reply_header(req.msg());
  h.set_rcode(dns::load16(p + 2) & 0xF);
  dns::store16(p, h.id);
  dns::store16(p + 2, h.flags);
  return hit->fresh_for;
}

void AnswerStore::keep(const Request& req, std::span<const uint8_t> reply, uint32_t life) {
  const Key key(req);
  kept_.keep(key.hash, key.view(), reply, req.qname().wire(), life, /*cut_opt=*/true);
}

}  // namespace coredns::plugins::dns64
