#pragma once
// Building blocks for DNS codec tests: queries and replies assembled with the builder.
#include <stdexcept>
#include <string>
#include <vector>

#include "core/dns/builder.h"
#include "core/dns/message.h"
#include "core/dns/types.h"

namespace coredns::testing {

inline dns::Name name(const char* text) {
  dns::Name n;
  if (!dns::Name::from_text(text, n)) throw std::runtime_error(std::string("bad name ") + text);
  return n;
}

// A name as plugins compare it: lower-cased (Request::qname_lower).
inline dns::Name lowered(const char* text) {
  dns::Name n = name(text);
  n.to_lower();
  return n;
}

struct QueryOptions {
  uint16_t id = 0x4242;
  uint16_t flags = dns::Header::RD;
  bool edns = false;
  uint16_t udp_size = 1232;
  bool do_bit = false;
  uint8_t version = 0;
  std::vector<uint8_t> options;
};

inline std::vector<uint8_t> make_query(const char* qname, uint16_t qtype,
                                       const QueryOptions& o = {}) {
  dns::Header h;
  h.id = o.id;
  h.flags = o.flags;
  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, h);
  b.add_question(name(qname), qtype, dns::cls::IN);
  if (o.edns) b.add_opt(o.udp_size, 0, o.version, o.do_bit ? 0x8000 : 0, o.options);
  b.finish();
  return out;
}

inline dns::MessageView parse(const std::vector<uint8_t>& bytes) {
  dns::MessageView v;
  if (v.parse(bytes) != dns::MessageView::Error::none) throw std::runtime_error("parse failed");
  return v;
}
// A view of a temporary would dangle.
dns::MessageView parse(std::vector<uint8_t>&& bytes) = delete;

// A reply to `query` with `count` A records for the question name.
inline std::vector<uint8_t> reply_with_a_records(const std::vector<uint8_t>& query, int count) {
  dns::MessageView q = parse(query);
  dns::Header h = q.header();
  h.set(dns::Header::QR);
  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, h);
  b.add_question_from(q);
  for (int i = 0; i < count; ++i) {
    uint8_t addr[4] = {10, 0, static_cast<uint8_t>(i / 256), static_cast<uint8_t>(i % 256)};
    b.add_record(dns::Section::answer, q.question_name(), dns::type::A, dns::cls::IN, 300, addr);
  }
  b.finish();
  return out;
}

}  // namespace coredns::testing
