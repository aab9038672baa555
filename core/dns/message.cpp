#include "core/dns/message.h"

#include "core/dns/rdata.h"
#include "core/dns/types.h"

namespace coredns::dns {
namespace {

// Validates the names inside a record's RDATA; returns their expanded length minus their stored
// length (how much longer the RDATA gets when written uncompressed), or -1 if malformed.
long rdata_name_growth(std::span<const uint8_t> msg, const RecordView& rr,
                       const FixedFields* fixed = nullptr) {
  RdataNames layout = rdata_names(rr.type);
  if (layout.names == 0) return 0;
  if (rr.rdlength < layout.lead) return -1;
  size_t pos = rr.rdata_offset + layout.lead;
  long growth = 0;
  auto rdata = msg.first(rr.end());
  for (int i = 0; i < layout.names; ++i) {
    size_t expanded = 0;
    size_t next = skip_name(rdata, pos, &expanded, fixed);
    if (next == kBadOffset) return -1;
    growth += static_cast<long>(expanded) - static_cast<long>(next - pos);
    pos = next;
  }
  if (rr.type == type::SOA && pos + 20 != rr.end()) return -1;
  return growth;
}

}  // namespace

RecordView read_record(std::span<const uint8_t> msg, size_t offset, const FixedFields* fixed) {
  RecordView rr;
  rr.offset = offset;
  size_t pos = skip_name(msg, offset, nullptr, fixed);
  if (pos == kBadOffset || pos + 10 > msg.size()) {
    rr.rdata_offset = kBadOffset;
    return rr;
  }
  const uint8_t* p = msg.data() + pos;
  rr.type = load16(p);
  rr.rclass = load16(p + 2);
  rr.ttl_offset = pos + 4;
  rr.ttl = load32(p + 4);
  rr.rdlength = load16(p + 8);
  rr.rdata_offset = pos + 10;
  if (rr.rdata_offset + rr.rdlength > msg.size()) rr.rdata_offset = kBadOffset;
  return rr;
}

MessageView::Error MessageView::parse(std::span<const uint8_t> bytes) {
  bytes_ = bytes;
  has_question_ = false;
  has_opt_ = false;
  questions_decoded_ = 0;
  if (bytes.size() < kHeaderSize) return Error::short_header;
  header_ = Header::read(bytes.data());

  FixedFields fixed(bytes.size());
  size_t pos = kHeaderSize;
  for (uint16_t i = 0; i < header_.qdcount; ++i) {
    size_t after = skip_name(bytes, pos, nullptr, &fixed);
    if (after == kBadOffset || after + 4 > bytes.size()) return Error::bad_question;
    fixed.mark(after, 4);
    if (i == 0) {
      question_.name_offset = pos;
      question_.name_length = after - pos;
      question_.qtype = load16(bytes.data() + after);
      question_.qclass = load16(bytes.data() + after + 2);
      has_question_ = true;
    }
    pos = after + 4;
    ++questions_decoded_;
  }
  records_begin_ = pos;

  const uint16_t counts[3] = {header_.ancount, header_.nscount, header_.arcount};
  for (int s = 0; s < 3; ++s) {
    section_begin_[s] = pos;
    for (uint16_t i = 0; i < counts[s]; ++i) {
      RecordView rr = read_record(bytes, pos, &fixed);
      if (rr.rdata_offset == kBadOffset) return Error::bad_record;
      fixed.mark(rr.rdata_offset - 10, 10);  // type, class, TTL, RDATA length
      if (rdata_name_growth(bytes, rr, &fixed) < 0) return Error::bad_record;
      if (rr.type == type::OPT && s == 2) {
        if (has_opt_) return Error::multiple_opt;
        has_opt_ = true;
        opt_.offset = rr.offset;
        opt_.end = rr.end();
        opt_.udp_size = rr.rclass;
        opt_.ext_rcode = static_cast<uint8_t>(rr.ttl >> 24);
        opt_.version = static_cast<uint8_t>(rr.ttl >> 16);
        opt_.flags = static_cast<uint16_t>(rr.ttl);
        opt_.options = bytes.subspan(rr.rdata_offset, rr.rdlength);
      }
      pos = rr.end();
    }
  }
  // Names were read in the whole buffer, but the message ends at `pos`: a pointer back into the
  // message followed by labels can run on into the trailing bytes. Validate again without them,
  // so that everything the view accepted reads from bytes() (found by tests/fuzz/dns_message).
  if (pos < bytes.size()) return parse(bytes.first(pos));
  end_ = pos;
  return Error::none;
}

void MessageView::rebase(std::span<const uint8_t> copy) {
  if (has_opt_) opt_.options = copy.subspan(opt_.options.data() - bytes_.data(), opt_.options.size());
  bytes_ = copy;
}

uint16_t MessageView::section_count(Section s) const {
  switch (s) {
    case Section::answer: return header_.ancount;
    case Section::authority: return header_.nscount;
    case Section::additional: return header_.arcount;
  }
  return 0;
}

Name MessageView::question_name() const {
  Name n;
  if (has_question_) n.assign_checked(bytes_.subspan(question_.name_offset, question_.name_length));
  return n;
}

size_t MessageView::uncompressed_size() const {
  auto msg = bytes();
  size_t size = kHeaderSize;
  size_t pos = kHeaderSize;
  for (int i = 0; i < questions_decoded_; ++i) {
    size_t after = read_name(msg, pos, nullptr);
    size += expanded_name_length(msg, pos) + 4;
    pos = after + 4;
  }
  for (int s = 0; s < 3; ++s)
    for (const RecordView& rr : records(static_cast<Section>(s)))
      size += expanded_name_length(msg, rr.offset) + 10 + rr.rdlength +
              static_cast<size_t>(rdata_name_growth(msg, rr));
  return size;
}

}  // namespace coredns::dns
