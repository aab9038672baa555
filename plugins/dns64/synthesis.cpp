#include "plugins/dns64/synthesis.h"

#include <algorithm>

#include "core/dns/builder.h"
#include "core/dns/reply.h"
#include "core/dns/types.h"

namespace coredns::plugins::dns64 {
namespace {

constexpr uint16_t kIpv4Size = 4, kIpv6Size = 16;

bool is_a(const dns::RecordView& rr) {
  return rr.type == dns::type::A && rr.rclass == dns::cls::IN && rr.rdlength == kIpv4Size;
}
bool is_aaaa(const dns::RecordView& rr) {
  return rr.type == dns::type::AAAA && rr.rclass == dns::cls::IN && rr.rdlength == kIpv6Size;
}
bool is_rrsig_over(std::span<const uint8_t> msg, const dns::RecordView& rr, uint16_t covered) {
  return rr.type == dns::type::RRSIG && rr.rdlength >= 2 &&
         dns::load16(msg.data() + rr.rdata_offset) == covered;
}

}  // namespace

AaaaVerdict judge_aaaa(const dns::MessageView& reply, const CidrList& exclude) {
  if (reply.header().rcode() == dns::rcode::NXDOMAIN) return AaaaVerdict::name_error;
  int usable = 0, excluded = 0;
  const auto msg = reply.bytes();
  for (const dns::RecordView& rr : reply.records(dns::Section::answer)) {
    if (!is_aaaa(rr)) continue;
    if (exclude.contains_v6(msg.data() + rr.rdata_offset))
      ++excluded;
    else
      ++usable;
  }
  if (usable == 0) return AaaaVerdict::synthesize;
  return excluded ? AaaaVerdict::answer_excluded : AaaaVerdict::answer;
}

std::vector<uint8_t> without_excluded(const dns::MessageView& reply, const CidrList& exclude) {
  const auto msg = reply.bytes();
  std::vector<uint8_t> out;
  out.reserve(msg.size());
  dns::MessageBuilder b(out, reply.header());
  b.add_question_from(reply);
  for (int s = 0; s < 3; ++s) {
    const auto section = static_cast<dns::Section>(s);
    for (const dns::RecordView& rr : reply.records(section)) {
      if (is_aaaa(rr) && exclude.contains_v6(msg.data() + rr.rdata_offset)) continue;
      if (is_rrsig_over(msg, rr, dns::type::AAAA)) continue;
      b.copy_record(section, msg, rr);
    }
  }
  b.finish();
  return out;
}

uint32_t ttl_bound(const dns::MessageView& aaaa_reply) {
  uint32_t bound = kTtlWithoutSoa;
  for (const dns::RecordView& rr : aaaa_reply.records(dns::Section::authority))
    if (rr.type == dns::type::SOA) bound = rr.ttl;
  return bound;
}

int usable_a_records(const dns::MessageView& a_reply, const Embedding& e) {
  int n = 0;
  const auto msg = a_reply.bytes();
  for (const dns::RecordView& rr : a_reply.records(dns::Section::answer))
    if (is_a(rr) && e.usable(msg.data() + rr.rdata_offset)) ++n;
  return n;
}

dns::Header recursive_reply_header(const dns::MessageView& query) {
  dns::Header h = dns::reply_header(query);
  h.set(dns::Header::RA);
  return h;
}

dns::Header lookup_reply_header(const dns::MessageView& query, const dns::MessageView& lookup) {
  dns::Header h = recursive_reply_header(query);
  h.set(dns::Header::TC, lookup.header().has(dns::Header::TC));
  h.set_rcode(lookup.header().rcode());
  return h;
}

Assembled assemble(std::vector<uint8_t>& out, const dns::MessageView& query,
                   const dns::MessageView& a_reply, uint32_t ttl_bound, const Embedding& e) {
  const auto msg = a_reply.bytes();
  const uint16_t rcode = a_reply.header().rcode();
  dns::MessageBuilder b(out, lookup_reply_header(query, a_reply));
  b.add_question_from(query);
  int synthesized = 0;
  for (const dns::RecordView& rr : a_reply.records(dns::Section::answer)) {
    if (is_a(rr)) {
      const uint8_t* v4 = msg.data() + rr.rdata_offset;
      if (!e.usable(v4)) continue;
      const Ipv6 v6 = e.prefix.embed({v4[0], v4[1], v4[2], v4[3]});
      dns::Name owner;
      dns::read_name(msg, rr.offset, &owner);
      b.add_record(dns::Section::answer, owner, dns::type::AAAA, dns::cls::IN,
                   std::min(rr.ttl, ttl_bound), v6);
      ++synthesized;
    } else if (!is_rrsig_over(msg, rr, dns::type::A)) {
      b.copy_record(dns::Section::answer, msg, rr);
    }
  }
  for (int s = 1; s < 3; ++s) {
    const auto section = static_cast<dns::Section>(s);
    for (const dns::RecordView& rr : a_reply.records(section))
      if (!is_rrsig_over(msg, rr, dns::type::A)) b.copy_record(section, msg, rr);
  }
  // RFC 6147 §5.5: only synthesized records lose AD; a reply that is the A side's negative
  // answer (or its CNAME chain) keeps the upstream's validation status.
  if (synthesized == 0) b.header().set(dns::Header::AD, a_reply.header().has(dns::Header::AD));
  b.finish();
  return {rcode, synthesized};
}

}  // namespace coredns::plugins::dns64
