#include "plugins/dns64/synthesis.h"

#include <algorithm>
#include <cstring>

#include "core/dns/builder.h"
#include "core/dns/types.h"

namespace coredns::plugins::dns64 {
namespace {

constexpr uint16_t kIpv4Size = 4, kIpv6Size = 16;
// A compression pointer to offset 12, where a message's question name starts.
constexpr uint8_t kPointerToQuestion[2] = {0xC0, dns::kHeaderSize};

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

// Length of the name at offset 12: a validated message's first question name, which is always
// written out there in full (a pointer would have to point into the header).
size_t question_name_length(std::span<const uint8_t> msg) {
  size_t pos = dns::kHeaderSize;
  while (msg[pos] != 0) pos += msg[pos] + 1u;
  return pos + 1 - dns::kHeaderSize;
}

// Whether the A reply's question name is the client's, byte for byte (the lookup asks for the
// client's name; the two differ at most in case). The root never qualifies: it has no label for
// a pointer to point to.
bool same_question_name(const dns::MessageView& query, const dns::MessageView& a_reply) {
  if (!query.has_question() || !a_reply.has_question()) return false;
  const size_t len = question_name_length(query.bytes());
  return len > 1 && question_name_length(a_reply.bytes()) == len &&
         std::memcmp(query.bytes().data() + dns::kHeaderSize,
                     a_reply.bytes().data() + dns::kHeaderSize, len) == 0;
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

dns::Header reply_header(const dns::MessageView& query) {
  const dns::Header& q = query.header();
  dns::Header h;
  h.id = q.id;
  h.set(dns::Header::QR);
  h.set_opcode(q.opcode());
  h.flags |= q.flags & (dns::Header::RD | dns::Header::CD);
  h.set(dns::Header::RA);
  return h;
}

Assembled assemble(std::vector<uint8_t>& out, const dns::MessageView& query,
                   const dns::MessageView& a_reply, uint32_t ttl_bound, const Embedding& e) {
  const auto msg = a_reply.bytes();
  dns::Header h = reply_header(query);
  h.set(dns::Header::TC, a_reply.header().has(dns::Header::TC));
  const uint16_t rcode = a_reply.header().rcode();
  h.set_rcode(rcode);
  dns::MessageBuilder b(out, h);
  b.add_question_from(query);
  // On a plain answer (every cached synthesized hit) each A record's owner is a pointer to the A
  // reply's question. When that question is the client's, byte for byte, the AAAA record gets a
  // pointer to the client's question at offset 12: the very pointer the builder's compressor
  // would find first (the question's first label is its first target), written without decoding
  // the name and searching every target for it. The record goes into `out` behind the builder,
  // which appends to `out` as it stands and only counts the record through its header.
  const bool owner_pointer_ok = same_question_name(query, a_reply);
  int synthesized = 0;
  for (const dns::RecordView& rr : a_reply.records(dns::Section::answer)) {
    if (is_a(rr)) {
      const uint8_t* v4 = msg.data() + rr.rdata_offset;
      if (!e.usable(v4)) continue;
      const Ipv6 v6 = e.prefix.embed({v4[0], v4[1], v4[2], v4[3]});
      const uint32_t ttl = std::min(rr.ttl, ttl_bound);
      const uint8_t* owner = msg.data() + rr.offset;
      if (owner_pointer_ok && owner[0] == kPointerToQuestion[0] &&
          owner[1] == kPointerToQuestion[1]) {
        constexpr size_t kRecordSize = 2 + 10 + kIpv6Size;
        const size_t at = out.size();
        out.resize(at + kRecordSize);
        uint8_t* p = out.data() + at;
        p[0] = kPointerToQuestion[0];
        p[1] = kPointerToQuestion[1];
        dns::store16(p + 2, dns::type::AAAA);
        dns::store16(p + 4, dns::cls::IN);
        dns::store32(p + 6, ttl);
        dns::store16(p + 10, kIpv6Size);
        std::memcpy(p + 12, v6.data(), kIpv6Size);
        ++b.header().ancount;
      } else {
        dns::Name owner_name;
        dns::read_name(msg, rr.offset, &owner_name);
        b.add_record(dns::Section::answer, owner_name, dns::type::AAAA, dns::cls::IN, ttl, v6);
      }
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
  b.finish();
  return {rcode, synthesized};
}

}  // namespace coredns::plugins::dns64
