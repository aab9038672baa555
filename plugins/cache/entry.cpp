#include "plugins/cache/entry.h"

#include <cstring>
#include <new>

#include "core/dns/buffers.h"
#include "core/dns/builder.h"
#include "core/dns/types.h"

namespace coredns::plugins::cache {
namespace {

// True if the first question's name is written out at offset 12 without a compression pointer.
bool question_written_out(const dns::MessageView& view) {
  if (!view.has_question()) return false;
  const auto msg = view.bytes();
  size_t pos = view.question().name_offset;
  while (pos < msg.size()) {
    const uint8_t len = msg[pos];
    if (len == 0) return true;
    if ((len & 0xC0) != 0) return false;
    pos += len + 1u;
  }
  return false;
}

}  // namespace

std::unique_ptr<Entry> Entry::make(std::span<const uint8_t> wire,
                                   std::span<const uint16_t> ttl_offsets,
                                   std::span<const uint32_t> record_ttls) {
  static_assert(sizeof(Entry) % alignof(uint32_t) == 0);
  const size_t per_record = record_ttls.size() == ttl_offsets.size() ? record_ttls.size() : 0;
  const size_t size = sizeof(Entry) + per_record * sizeof(uint32_t) +
                      ttl_offsets.size() * sizeof(uint16_t) + wire.size();
  std::unique_ptr<Entry> e(new (::operator new(size)) Entry());
  e->wire_size_ = static_cast<uint16_t>(wire.size());
  e->ttl_count_ = static_cast<uint16_t>(ttl_offsets.size());
  e->per_record_ = per_record > 0;
  auto* at = reinterpret_cast<uint8_t*>(e.get() + 1);
  auto append = [&at](const void* from, size_t n) {
    if (n) std::memcpy(at, from, n);
    at += n;
  };
  append(record_ttls.data(), per_record * sizeof(uint32_t));
  append(ttl_offsets.data(), ttl_offsets.size() * sizeof(uint16_t));
  append(wire.data(), wire.size());
  return e;
}

void Entry::lower_question(const dns::Name& lowered) {
  if (wire_size_ < dns::kHeaderSize + lowered.size()) return;
  auto* at = const_cast<uint8_t*>(wire().data()) + dns::kHeaderSize;
  std::memcpy(at, lowered.data(), lowered.size());
}

void flatten_reply(std::vector<uint8_t>& wire, const dns::MessageView& view, const TtlRule& rule,
                   std::vector<uint16_t>& ttl_offsets, std::vector<uint32_t>& record_ttls) {
  ttl_offsets.clear();
  record_ttls.clear();
  const dns::OptView* opt = view.opt();
  // OPT is normally the very last record; anything else (an OPT elsewhere, a question name that
  // is a pointer) is rare enough to rebuild the message for.
  bool stray_opt = false;
  for (int s = 0; s < 3; ++s)
    for (const dns::RecordView& rr : view.records(static_cast<dns::Section>(s)))
      if (rr.type == dns::type::OPT && !(opt && rr.offset == opt->offset && opt->end == view.size()))
        stray_opt = true;
  if (!stray_opt && question_written_out(view)) {
    for (int s = 0; s < 3; ++s)
      for (const dns::RecordView& rr : view.records(static_cast<dns::Section>(s)))
        if (rr.type != dns::type::OPT) {
          ttl_offsets.push_back(static_cast<uint16_t>(rr.ttl_offset));
          record_ttls.push_back(rule.of(view, rr));
        }
    size_t end = view.size();
    if (opt) {
      end = opt->offset;
      dns::store16(&wire[10], static_cast<uint16_t>(view.header().arcount - 1));
    }
    wire.resize(end);
    for (size_t i = 0; i < ttl_offsets.size(); ++i) dns::store32(&wire[ttl_offsets[i]], record_ttls[i]);
  } else {
    std::vector<uint8_t> out;
    out.reserve(view.size());
    dns::MessageBuilder b(out, view.header());
    b.add_question_from(view);
    for (int s = 0; s < 3; ++s)
      for (const dns::RecordView& rr : view.records(static_cast<dns::Section>(s)))
        if (rr.type != dns::type::OPT) {
          record_ttls.push_back(rule.of(view, rr));
          b.copy_record(static_cast<dns::Section>(s), view.bytes(), rr, record_ttls.back());
        }
    b.finish();
    dns::MessageView rebuilt;
    rebuilt.parse(out);
    for (int s = 0; s < 3; ++s)
      for (const dns::RecordView& rr : rebuilt.records(static_cast<dns::Section>(s)))
        ttl_offsets.push_back(static_cast<uint16_t>(rr.ttl_offset));
    wire.swap(out);
  }
  if (!rule.per_record) record_ttls.clear();
}

void render_hit(const Entry& e, const Request& req, const HitTtl& ttl, std::vector<uint8_t>& out) {
  const dns::MessageView& q = req.msg();
  const dns::OptView* qopt = q.opt();
  const auto wire = e.wire();
  if (out.capacity() == 0) out = dns::take_buffer();
  out.reserve(wire.size() + (qopt ? 11 + qopt->options.size() : 0));
  out.assign(wire.begin(), wire.end());
  uint8_t* p = out.data();

  const dns::Header& qh = q.header();
  const uint16_t stored = dns::load16(p + 2);
  dns::Header h;
  h.flags = static_cast<uint16_t>(stored & (dns::Header::RA | 0xF));
  h.set(dns::Header::QR);
  h.set(dns::Header::AA);  // as CoreDNS: some stubs drop non-authoritative replies
  h.set_opcode(qh.opcode());
  if (qh.opcode() == dns::opcode::QUERY)
    h.flags |= static_cast<uint16_t>(qh.flags & (dns::Header::RD | dns::Header::CD));
  if ((stored & dns::Header::AD) && (req.do_bit() || qh.has(dns::Header::AD)))
    h.set(dns::Header::AD);
  dns::store16(p, qh.id);
  dns::store16(p + 2, h.flags);

  const dns::Name& qname = req.qname();
  std::memcpy(p + dns::kHeaderSize, qname.data(), qname.size());
  const auto offsets = e.ttl_offsets();
  const auto own = e.record_ttls();
  if (ttl.per_record && !own.empty()) {
    // Every record outlives the entry (which expires with the smallest), so none goes below 1.
    for (size_t i = 0; i < offsets.size(); ++i)
      dns::store32(p + offsets[i], static_cast<uint32_t>(own[i] - ttl.age));
  } else {
    for (uint16_t off : offsets) dns::store32(p + off, ttl.ttl);
  }
}

}  // namespace coredns::plugins::cache
