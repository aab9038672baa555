#include "core/dns/builder.h"

#include <cassert>

#include "core/dns/rdata.h"
#include "core/dns/types.h"

namespace coredns::dns {

MessageBuilder::MessageBuilder(std::vector<uint8_t>& out, const Header& header)
    : out_(out), header_(header) {
  header_.qdcount = header_.ancount = header_.nscount = header_.arcount = 0;
  out_.clear();
  out_.resize(kHeaderSize);
}

void MessageBuilder::add_question(const Name& name, uint16_t qtype, uint16_t qclass) {
  assert(section_ < 0);
  write_name(name, true);
  size_t at = out_.size();
  out_.resize(at + 4);
  store16(&out_[at], qtype);
  store16(&out_[at + 2], qclass);
  uncompressed_ += 4;
  ++header_.qdcount;
}

void MessageBuilder::add_question_from(const MessageView& src) {
  if (!src.has_question()) return;
  add_question(src.question_name(), src.question().qtype, src.question().qclass);
}

void MessageBuilder::begin_section(Section s) {
  assert(static_cast<int>(s) >= section_);
  section_ = static_cast<int>(s);
  switch (s) {
    case Section::answer: ++header_.ancount; break;
    case Section::authority: ++header_.nscount; break;
    case Section::additional: ++header_.arcount; break;
  }
}

void MessageBuilder::write_record_head(Section s, const Name& owner, uint16_t type,
                                       uint16_t rclass, uint32_t ttl) {
  begin_section(s);
  write_name(owner, true);
  size_t at = out_.size();
  out_.resize(at + 10);
  store16(&out_[at], type);
  store16(&out_[at + 2], rclass);
  store32(&out_[at + 4], ttl);
  uncompressed_ += 10;
}

void MessageBuilder::add_record(Section s, const Name& owner, uint16_t type, uint16_t rclass,
                                uint32_t ttl, std::span<const uint8_t> rdata) {
  write_record_head(s, owner, type, rclass, ttl);
  store16(&out_[out_.size() - 2], static_cast<uint16_t>(rdata.size()));
  out_.insert(out_.end(), rdata.begin(), rdata.end());
  uncompressed_ += rdata.size();
}

void MessageBuilder::add_name_record(Section s, const Name& owner, uint16_t type,
                                     uint16_t rclass, uint32_t ttl, const Name& target) {
  write_record_head(s, owner, type, rclass, ttl);
  size_t rdlen_at = out_.size() - 2;
  size_t start = out_.size();
  write_name(target, rdata_names_compressible_on_write(type));
  store16(&out_[rdlen_at], static_cast<uint16_t>(out_.size() - start));
}

void MessageBuilder::copy_record(Section s, std::span<const uint8_t> src, const RecordView& rr,
                                 uint32_t ttl) {
  Name owner;
  read_name(src, rr.offset, &owner);
  write_record_head(s, owner, rr.type, rr.rclass, ttl);
  size_t rdlen_at = out_.size() - 2;
  size_t start = out_.size();
  RdataNames layout = rdata_names(rr.type);
  if (layout.names == 0) {
    out_.insert(out_.end(), src.begin() + rr.rdata_offset, src.begin() + rr.end());
    uncompressed_ += rr.rdlength;
  } else {
    const bool compress = rdata_names_compressible_on_write(rr.type);
    size_t pos = rr.rdata_offset;
    out_.insert(out_.end(), src.begin() + pos, src.begin() + pos + layout.lead);
    uncompressed_ += layout.lead;
    pos += layout.lead;
    auto rdata = src.first(rr.end());
    for (int i = 0; i < layout.names; ++i) {
      Name n;
      pos = read_name(rdata, pos, &n);
      write_name(n, compress);
    }
    out_.insert(out_.end(), src.begin() + pos, src.begin() + rr.end());
    uncompressed_ += rr.end() - pos;
  }
  store16(&out_[rdlen_at], static_cast<uint16_t>(out_.size() - start));
}

void MessageBuilder::add_opt(uint16_t udp_size, uint8_t ext_rcode, uint8_t version,
                             uint16_t flags, std::span<const uint8_t> options) {
  begin_section(Section::additional);
  size_t at = out_.size();
  out_.resize(at + 11);
  out_[at] = 0;  // root owner
  store16(&out_[at + 1], type::OPT);
  store16(&out_[at + 3], udp_size);
  store32(&out_[at + 5], (uint32_t{ext_rcode} << 24) | (uint32_t{version} << 16) | flags);
  store16(&out_[at + 9], static_cast<uint16_t>(options.size()));
  out_.insert(out_.end(), options.begin(), options.end());
  uncompressed_ += 11 + options.size();
}

void MessageBuilder::finish() { header_.write(out_.data()); }

size_t MessageBuilder::find_suffix(std::span<const uint8_t> suffix) const {
  for (size_t t = 0; t < target_count_; ++t) {
    // Compare the written name at targets_[t] (following pointers) with `suffix` byte-exactly:
    // case is kept as written, so 0x20-randomised names are never altered by compression.
    size_t pos = targets_[t];
    size_t i = 0;
    bool match = true;
    while (match) {
      uint8_t len = out_[pos];
      if ((len & 0xC0) == 0xC0) {
        pos = (static_cast<size_t>(len & 0x3F) << 8) | out_[pos + 1];
        continue;
      }
      if (i >= suffix.size() || suffix[i] != len) {
        match = false;
        break;
      }
      if (len == 0) break;
      for (size_t k = 1; k <= len; ++k)
        if (out_[pos + k] != suffix[i + k]) {
          match = false;
          break;
        }
      i += len + 1;
      pos += len + 1;
    }
    if (match && i + 1 == suffix.size()) return targets_[t];
  }
  return kBadOffset;
}

void MessageBuilder::write_name(const Name& name, bool compress) {
  uncompressed_ += name.size();
  auto wire = name.wire();
  // This name's labels become compression targets only once the name is complete: until then
  // its first labels are followed by nothing, and matching a suffix against them would read
  // past the end of the output ("a.a.": found by tests/fuzz/dns_message).
  uint16_t fresh[kMaxNameLength / 2 + 1];
  size_t fresh_count = 0;
  size_t off = 0;
  bool pointer = false;
  while (wire[off] != 0) {
    auto suffix = wire.subspan(off);
    if (compress) {
      size_t target = find_suffix(suffix);
      if (target != kBadOffset) {
        size_t at = out_.size();
        out_.resize(at + 2);
        store16(&out_[at], static_cast<uint16_t>(0xC000 | target));
        pointer = true;
        break;
      }
    }
    if (out_.size() < 0x3FFF) fresh[fresh_count++] = static_cast<uint16_t>(out_.size());
    out_.insert(out_.end(), wire.begin() + off, wire.begin() + off + wire[off] + 1);
    off += wire[off] + 1;
  }
  if (!pointer) out_.push_back(0);
  for (size_t i = 0; i < fresh_count && target_count_ < kMaxTargets; ++i)
    targets_[target_count_++] = fresh[i];
}

}  // namespace coredns::dns
