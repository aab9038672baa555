#pragma once
// Domain names in uncompressed wire format, and reading names out of messages.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace coredns::dns {

inline constexpr size_t kMaxNameLength = 255;

inline uint8_t ascii_lower(uint8_t c) { return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c; }
// Lower-cases `n` octets of wire-format name from `from` into `to` (which may be `from`). Length
// octets are at most 63, below 'A', so a name's wire form is lowered whole.
void lower_octets(const uint8_t* from, uint8_t* to, size_t n);
// Whether two octet strings are equal but for ASCII case (two names' wire forms).
bool octets_equal_ci(std::span<const uint8_t> a, std::span<const uint8_t> b);

// Length-prefixed labels ending with the root label, at most 255 octets. Comparisons that say
// "ci" ignore ASCII case, as DNS does; plain equality is byte equality (case preserved, 0x20).
class Name {
 public:
  Name() : size_(1) { bytes_[0] = 0; }

  // Presentation format ("www.example.org", "example.org.", "\046" escapes). A relative name
  // is taken as fully qualified. False on empty labels, a label > 63 or a name > 255 octets.
  static bool from_text(std::string_view text, Name& out);
  // Raw uncompressed wire bytes; false unless they form exactly one valid name.
  static bool from_wire(std::span<const uint8_t> wire, Name& out);
  // Wire bytes that skip_name has already found to be one valid uncompressed name (a parsed
  // message's question name, MessageView::question()): copied without checking them again.
  void assign_checked(std::span<const uint8_t> wire) {
    std::memcpy(bytes_, wire.data(), wire.size());
    size_ = static_cast<uint8_t>(wire.size());
  }

  std::string to_text() const;  // "www.example.org." with miekg/dns's escaping; "." for root
  void append_text(std::string& out) const;  // to_text() into a reused buffer
  // The bytes live inside the Name: a temporary's would dangle, so only an lvalue has them.
  std::span<const uint8_t> wire() const& { return {bytes_, size_}; }
  std::span<const uint8_t> wire() const&& = delete;
  const uint8_t* data() const { return bytes_; }
  size_t size() const { return size_; }
  bool is_root() const { return size_ == 1; }
  int label_count() const;

  void to_lower();
  Name lowered() const {
    Name n;
    n.set_lowered(*this);
    return n;
  }
  // Makes this name `from` lower-cased (copying only its octets, not the whole buffer).
  void set_lowered(const Name& from);

  bool equals_ci(const Name& other) const;
  // True if this name is `parent` or below it (label-wise, ignoring case).
  bool is_subdomain_of(const Name& parent) const;
  // Offsets of each label start, from the full name down to the root label, for suffix walks.
  template <typename Fn>
  void for_each_suffix(Fn&& fn) const {
    size_t off = 0;
    while (true) {
      fn(std::span<const uint8_t>(bytes_ + off, size_ - off));
      if (bytes_[off] == 0) break;
      off += bytes_[off] + 1;
    }
  }
  // The name without its first label (the root's parent is the root).
  Name parent() const;
  // Prepends one label; false if the result would be too long.
  bool prepend_label(std::string_view label);

  bool operator==(const Name& o) const {
    return size_ == o.size_ && std::memcmp(bytes_, o.bytes_, size_) == 0;
  }

 private:
  friend size_t read_name(std::span<const uint8_t> msg, size_t offset, Name* out);
// The same hash of any octets (a key that holds a name and other fields). With `fold_case`,
// every octet is hashed with its 0x20 bit set, so that octets that differ only in ASCII case
// (or only in that bit) hash alike: a hash of a name taken before it is lower-cased.
uint64_t hash_octets(uint64_t fields, std::span<const uint8_t> octets, bool fold_case = false);

  uint8_t size_;
  uint8_t bytes_[kMaxNameLength];
};

inline constexpr size_t kBadOffset = static_cast<size_t>(-1);

// Reads the possibly compressed name that starts at `offset` of `msg` into `out` (may be null to
// only validate). Compression pointers must point backwards, which also rules out loops, and not
// into the 12-byte header; the name a pointer leads to must end before the pointer (a prior
// occurrence, RFC 1035 §4.1.4). Returns the offset just past the name as it is stored at
// `offset`, or kBadOffset if malformed.
size_t read_name(std::span<const uint8_t> msg, size_t offset, Name* out);

// A well-mixed 64-bit hash of a (lower-cased) name and the table's other key fields, for tables
// keyed by name: the name's octets eight at a time, then a finaliser, so that any of its bits can
// pick a shard or a slot.
uint64_t hash_name(uint64_t fields, const Name& name);
// The same hash of any octets (a key that holds a name and other fields). With `fold_case`,
// every octet is hashed with its 0x20 bit set, so that octets that differ only in ASCII case
// (or only in that bit) hash alike: a hash of a name taken before it is lower-cased.
uint64_t hash_octets(uint64_t fields, std::span<const uint8_t> octets, bool fold_case = false);

// The bytes of a message being parsed that belong to no name: each question's type and class,
// each record's type, class, TTL and RDATA length. A name reached through a compression pointer
// may not read any of them (RFC 1035 §4.1.4: a pointer leads to a prior occurrence of a name),
// because replies are patched in place (cache rewrites TTLs): a name laid over those bytes would
// change with them, or stop parsing (found by tests/fuzz/cache_reply).
class FixedFields {
 public:
  // Pointers reach offsets below 2^14, and a name read from there is at most 255 octets long.
  static constexpr size_t kReach = (size_t{1} << 14) + kMaxNameLength;

  explicit FixedFields(size_t message_size);
  // Marks or tests bits [from, from + count); what lies past kReach is never marked.
  void mark(size_t from, size_t count) {
    each_word(from, count, [&](size_t w, uint64_t mask) {
      words_[w] |= mask;
      return false;
    });
  }
  bool any(size_t from, size_t count) const {
    return each_word(from, count, [&](size_t w, uint64_t mask) { return (words_[w] & mask) != 0; });
  }

 private:
  // Bits [from, from + count), a word at a time (one word for a field or a short name):
  // `f(word index, mask)` until it returns true.
  template <typename F>
  bool each_word(size_t from, size_t count, F f) const {
    const size_t end = std::min(from + count, used_ * 64);
    while (from < end) {
      const size_t bit = from % 64, n = std::min<size_t>(64 - bit, end - from);
      const uint64_t ones = n == 64 ? ~uint64_t{0} : (uint64_t{1} << n) - 1;
      if (f(from / 64, ones << bit)) return true;
      from += n;
    }
    return false;
  }

  uint64_t words_[(kReach + 63) / 64];
  size_t used_;  // words cleared for this message
};

// read_name without the copy: validates the name at `offset` and returns the offset past it, or
// kBadOffset; `expanded` (may be null) gets its length once decompressed (0 if malformed). With
// `fixed` (MessageView::parse), a name reached through a pointer must not read those bytes.
size_t skip_name(std::span<const uint8_t> msg, size_t offset, size_t* expanded,
                 const FixedFields* fixed = nullptr);

// Length of the name at `offset` once decompressed, or 0 if malformed.
size_t expanded_name_length(std::span<const uint8_t> msg, size_t offset);

// Case-insensitive comparison of the compressed name at `offset` with `name`.
bool name_equals_ci(std::span<const uint8_t> msg, size_t offset, const Name& name);

}  // namespace coredns::dns
