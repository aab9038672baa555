#pragma once
// A zero-copy view of a DNS message: the header, the question, and iteration over the records of
// each section, all read in place from the buffer. parse() validates the whole message once so
// that the accessors afterwards cannot fail.
#include <cstdint>
#include <span>

#include "core/dns/header.h"
#include "core/dns/name.h"

namespace coredns::dns {

enum class Section : uint8_t { answer = 0, authority = 1, additional = 2 };

struct Question {
  size_t name_offset = 0;  // in the message, right after the header
  // The name is stored whole: a compression pointer must point backwards and not into the
  // header, so none can appear at the first name of a message.
  size_t name_length = 0;
  uint16_t qtype = 0;
  uint16_t qclass = 0;
};

// One resource record, located in the message.
struct RecordView {
  size_t offset = 0;        // owner name
  uint16_t type = 0;
  uint16_t rclass = 0;
  uint32_t ttl = 0;
  size_t ttl_offset = 0;
  size_t rdata_offset = 0;
  uint16_t rdlength = 0;
  size_t end() const { return rdata_offset + rdlength; }
};

// The EDNS0 OPT pseudo-record's fields (RFC 6891 §6.1.3).
struct OptView {
  size_t offset = 0;  // of the record in the message
  size_t end = 0;
  uint16_t udp_size = 0;
  uint8_t ext_rcode = 0;
  uint8_t version = 0;
  uint16_t flags = 0;  // DO is 0x8000
  std::span<const uint8_t> options;
  bool do_bit() const { return flags & 0x8000; }
};

class MessageView {
 public:
  enum class Error {
    none,
    short_header,    // fewer than 12 bytes
    bad_question,    // question name or fixed part truncated/malformed
    bad_record,      // a record truncated/malformed
    multiple_opt,
  };

  // Parses and validates `bytes` (header, question, every record). Trailing bytes after the
  // last record are ignored. The view refers to `bytes`, which must outlive it.
  Error parse(std::span<const uint8_t> bytes);
  // Moves the view onto `copy`, which holds the same bytes as bytes() (at least): nothing is
  // parsed again, so a query validated once in a receive buffer is not parsed twice.
  void rebase(std::span<const uint8_t> copy);

  const Header& header() const { return header_; }
  std::span<const uint8_t> bytes() const { return bytes_.first(end_); }
  size_t size() const { return end_; }
  bool has_question() const { return has_question_; }
  const Question& question() const { return question_; }
  size_t question_end() const { return records_begin_; }
  // Number of questions decoded before a parse error (for FORMERR replies).
  int questions_decoded() const { return questions_decoded_; }
  Name question_name() const;  // as sent, case preserved

  const OptView* opt() const { return has_opt_ ? &opt_ : nullptr; }

  // Records of one section; the OPT record is included in additional.
  class RecordRange;
  RecordRange records(Section s) const;
  size_t section_offset(Section s) const { return section_begin_[static_cast<int>(s)]; }
  uint16_t section_count(Section s) const;

  // Size of the message with every name written out in full (CoreDNS's uncompressed Len()).
  size_t uncompressed_size() const;

 private:
  std::span<const uint8_t> bytes_;
  Header header_;
  Question question_;
  bool has_question_ = false;
  int questions_decoded_ = 0;
  bool has_opt_ = false;
  OptView opt_;
  size_t records_begin_ = kHeaderSize;
  size_t section_begin_[3] = {0, 0, 0};
  size_t end_ = 0;
};

// Reads the record at `offset`; kBadOffset-free only on a validated message. `fixed`: as for
// skip_name, while MessageView::parse validates.
RecordView read_record(std::span<const uint8_t> msg, size_t offset,
                       const FixedFields* fixed = nullptr);

class MessageView::RecordRange {
 public:
  class iterator {
   public:
    iterator(std::span<const uint8_t> msg, size_t offset, uint16_t left)
        : msg_(msg), left_(left) {
      if (left_) rec_ = read_record(msg_, offset);
    }
    const RecordView& operator*() const { return rec_; }
    const RecordView* operator->() const { return &rec_; }
    iterator& operator++() {
      if (--left_) rec_ = read_record(msg_, rec_.end());
      return *this;
    }
    bool operator==(const iterator& o) const { return left_ == o.left_; }

   private:
    std::span<const uint8_t> msg_;
    uint16_t left_;
    RecordView rec_;
  };
  RecordRange(std::span<const uint8_t> msg, size_t offset, uint16_t count)
      : msg_(msg), offset_(offset), count_(count) {}
  iterator begin() const { return {msg_, offset_, count_}; }
  iterator end() const { return {msg_, offset_, 0}; }
  uint16_t size() const { return count_; }

 private:
  std::span<const uint8_t> msg_;
  size_t offset_;
  uint16_t count_;
};

inline MessageView::RecordRange MessageView::records(Section s) const {
  return RecordRange(bytes_, section_begin_[static_cast<int>(s)], section_count(s));
}

}  // namespace coredns::dns
