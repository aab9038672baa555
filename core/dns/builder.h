#pragma once
// Writes DNS messages into a byte vector, compressing owner names and the names inside the RDATA
// of RFC 1035 types. Records are appended section by section, in order.
#include <cstdint>
#include <span>
#include <vector>

#include "core/dns/header.h"
#include "core/dns/message.h"
#include "core/dns/name.h"

namespace coredns::dns {

class MessageBuilder {
 public:
  // Starts a message in `out` (cleared) with `header`; counts are maintained by the builder.
  MessageBuilder(std::vector<uint8_t>& out, const Header& header);

  void add_question(const Name& name, uint16_t qtype, uint16_t qclass);
  // Copies the question of `src` byte-exactly (name case preserved).
  void add_question_from(const MessageView& src);

  // A record with opaque RDATA (no names inside).
  void add_record(Section s, const Name& owner, uint16_t type, uint16_t rclass, uint32_t ttl,
                  std::span<const uint8_t> rdata);
  // A record whose RDATA is a single domain name (CNAME, PTR, NS, DNAME).
  void add_name_record(Section s, const Name& owner, uint16_t type, uint16_t rclass,
                       uint32_t ttl, const Name& target);
  // Copies a record of another (validated) message, decompressing its names and recompressing
  // them against this message. `ttl` replaces the record's TTL.
  void copy_record(Section s, std::span<const uint8_t> src_msg, const RecordView& rr,
                   uint32_t ttl);
  void copy_record(Section s, std::span<const uint8_t> src_msg, const RecordView& rr) {
    copy_record(s, src_msg, rr, rr.ttl);
  }
  // An OPT record (always last in additional).
  void add_opt(uint16_t udp_size, uint8_t ext_rcode, uint8_t version, uint16_t flags,
               std::span<const uint8_t> options);

  Header& header() { return header_; }
  // Writes the header with final counts; the builder must not be used afterwards.
  void finish();

  size_t size() const { return out_.size(); }
  // What the message would weigh with no compression at all (CoreDNS's Len() of an
  // uncompressed message, shown by log's {rsize}).
  size_t uncompressed_size() const { return uncompressed_; }

 private:
  void write_name(const Name& name, bool compress);
  void write_record_head(Section s, const Name& owner, uint16_t type, uint16_t rclass,
                         uint32_t ttl);
  void begin_section(Section s);
  size_t find_suffix(std::span<const uint8_t> suffix) const;

  std::vector<uint8_t>& out_;
  Header header_;
  int section_ = -1;
  size_t uncompressed_ = kHeaderSize;
  // Offsets of labels written uncompressed, candidates for compression pointers.
  static constexpr size_t kMaxTargets = 128;
  uint16_t targets_[kMaxTargets];
  size_t target_count_ = 0;
};

}  // namespace coredns::dns
