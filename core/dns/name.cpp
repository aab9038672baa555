#include "core/dns/name.h"

#include <algorithm>

#include "core/dns/wire.h"

namespace coredns::dns {
namespace {

constexpr size_t kMaxLabel = 63;

bool label_char_needs_escape(uint8_t c) {
  switch (c) {
    case '.': case ' ': case '\'': case '@': case ';': case '(': case ')': case '"': case '\\':
      return true;
    default:
      return false;
  }
}

}  // namespace

bool Name::from_text(std::string_view text, Name& out) {
  if (text.empty()) return false;
  if (text == ".") {
    out = Name();
    return true;
  }
  uint8_t buf[kMaxNameLength + 1];
  size_t pos = 0;       // write position
  size_t label_at = 0;  // position of the current label's length byte
  size_t label_len = 0;
  pos = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    uint8_t c = static_cast<uint8_t>(text[i]);
    if (c == '.') {
      if (label_len == 0) return false;  // empty label, or a leading dot
      buf[label_at] = static_cast<uint8_t>(label_len);
      label_at = pos++;
      label_len = 0;
      if (pos > kMaxNameLength) return false;
      continue;
    }
    if (c == '\\') {
      if (i + 1 >= text.size()) return false;
      uint8_t n = static_cast<uint8_t>(text[i + 1]);
      if (n >= '0' && n <= '9') {
        if (i + 3 >= text.size()) return false;
        int v = 0;
        for (int k = 1; k <= 3; ++k) {
          uint8_t d = static_cast<uint8_t>(text[i + k]);
          if (d < '0' || d > '9') return false;
          v = v * 10 + (d - '0');
        }
        if (v > 255) return false;
        c = static_cast<uint8_t>(v);
        i += 3;
      } else {
        c = n;
        i += 1;
      }
    }
    if (++label_len > kMaxLabel) return false;
    if (pos >= kMaxNameLength) return false;
    buf[pos++] = c;
  }
  if (label_len > 0) {
    buf[label_at] = static_cast<uint8_t>(label_len);
    label_at = pos++;
  }
  if (pos > kMaxNameLength) return false;
  buf[label_at] = 0;
  out.size_ = static_cast<uint8_t>(pos);
  std::memcpy(out.bytes_, buf, pos);
  return true;
}

bool Name::from_wire(std::span<const uint8_t> wire, Name& out) {
  size_t off = 0;
  while (true) {
    if (off >= wire.size() || off >= kMaxNameLength) return false;
    uint8_t len = wire[off];
    if (len > kMaxLabel) return false;
    if (len == 0) break;
    off += len + 1;
  }
  if (off + 1 != wire.size()) return false;
  out.size_ = static_cast<uint8_t>(wire.size());
  std::memcpy(out.bytes_, wire.data(), wire.size());
  return true;
}

std::string Name::to_text() const {
  std::string s;
  s.reserve(size_ + 4);
  append_text(s);
  return s;
}

void Name::append_text(std::string& s) const {
  if (is_root()) {
    s.push_back('.');
    return;
  }
  size_t off = 0;
  while (bytes_[off] != 0) {
    uint8_t len = bytes_[off];
    for (size_t i = 1; i <= len; ++i) {
      uint8_t c = bytes_[off + i];
      if (label_char_needs_escape(c)) {
        s.push_back('\\');
        s.push_back(static_cast<char>(c));
      } else if (c < 0x20 || c > 0x7E) {
        char esc[5] = {'\\', static_cast<char>('0' + c / 100), static_cast<char>('0' + c / 10 % 10),
                       static_cast<char>('0' + c % 10), 0};
        s.append(esc, 4);
      } else {
        s.push_back(static_cast<char>(c));
      }
    }
    s.push_back('.');
    off += len + 1;
  }
}

int Name::label_count() const {
  int n = 0;
  for (size_t off = 0; bytes_[off] != 0; off += bytes_[off] + 1) ++n;
  return n;
}

// Length octets are at most 63, below 'A', so lowering every octet leaves them as they are.
void Name::to_lower() { set_lowered(*this); }

void lower_octets(const uint8_t* from, uint8_t* to, size_t n) {
  size_t i = 0;
  // Eight octets at a time: 0x20 is added to each octet in 'A'..'Z' (each lane's tests stay
  // within its own byte, as no lane can carry into the next).
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, from + i, 8);
    const uint64_t low7 = w & (0x7F * kOnes);
    const uint64_t above_z = low7 + (0x7F - 'Z') * kOnes;  // high bit set where > 'Z'
    const uint64_t from_a = low7 + (0x80 - 'A') * kOnes;   // high bit set where >= 'A'
    const uint64_t upper = (from_a & ~above_z) & ~w & (0x80 * kOnes);
    w |= upper >> 2;
    std::memcpy(to + i, &w, 8);
  }
  for (; i < n; ++i) to[i] = ascii_lower(from[i]);
}

void Name::set_lowered(const Name& from) {
  size_ = from.size_;
  lower_octets(from.bytes_, bytes_, size_);
}

bool octets_equal_ci(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

bool Name::equals_ci(const Name& o) const { return octets_equal_ci(wire(), o.wire()); }

bool Name::is_subdomain_of(const Name& parent) const {
  if (parent.size_ > size_) return false;
  // The parent must start on one of our label boundaries.
  size_t want = size_ - parent.size_;
  size_t off = 0;
  while (off < want) off += bytes_[off] + 1;
  if (off != want) return false;
  for (size_t i = 0; i < parent.size_; ++i)
    if (ascii_lower(bytes_[off + i]) != ascii_lower(parent.bytes_[i])) return false;
  return true;
}

Name Name::parent() const {
  if (is_root()) return *this;
  Name p;
  size_t skip = bytes_[0] + 1u;
  p.size_ = static_cast<uint8_t>(size_ - skip);
  std::memcpy(p.bytes_, bytes_ + skip, p.size_);
  return p;
}

bool Name::prepend_label(std::string_view label) {
  if (label.empty() || label.size() > kMaxLabel) return false;
  if (size_ + label.size() + 1 > kMaxNameLength) return false;
  std::memmove(bytes_ + label.size() + 1, bytes_, size_);
  bytes_[0] = static_cast<uint8_t>(label.size());
  std::memcpy(bytes_ + 1, label.data(), label.size());
  size_ = static_cast<uint8_t>(size_ + label.size() + 1);
  return true;
}

namespace {

// Walks the possibly compressed name at `offset`, copying its labels to `buf` when not null;
// `written` gets its expanded length. Returns the offset past the name as stored, or kBadOffset.
size_t walk_name(std::span<const uint8_t> msg, size_t offset, uint8_t* buf, size_t& written,
                 const FixedFields* fixed) {
  written = 0;
  const uint8_t* data = msg.data();
  size_t limit = msg.size();
  size_t pos = offset;
  // Reads labels from `pos` up to a root label (true) or a pointer (false, `pos` at it).
  auto labels = [&](bool& ok) {
    while (true) {
      if (pos >= limit) return ok = false;
      const uint8_t len = data[pos];
      if ((len & 0xC0) == 0xC0) return false;
      if (len & 0xC0) return ok = false;  // 0x40/0x80: obsolete label types
      if (pos + len + 1u > limit || written + len + 1u > kMaxNameLength) return ok = false;
      if (buf) std::memcpy(buf + written, data + pos, len + 1u);
      written += len + 1u;
      pos += len + 1u;
      if (len == 0) return true;
    }
  };
  bool ok = true;
  if (labels(ok)) return pos;
  if (!ok) return kBadOffset;
  const size_t end = pos + 2;  // the name as stored ends with its first pointer
  size_t lowest_seen = offset;  // pointers must go strictly below every position visited
  while (true) {
    if (pos + 2 > limit) return kBadOffset;
    const size_t target = (static_cast<size_t>(data[pos] & 0x3F) << 8) | data[pos + 1];
    // No name starts inside the header: a pointer there would read bytes that replies rewrite.
    if (target >= lowest_seen || target < kHeaderSize) return kBadOffset;
    // A pointer leads to a name written before it (RFC 1035 §4.1.4): everything read from
    // there lies below the pointer, and (while parsing) over no fixed field.
    lowest_seen = target;
    limit = pos;
    pos = target;
    const bool root = labels(ok);
    if (!ok) return kBadOffset;
    // What was read, with the next pointer's two octets (the loop's next turn holds them to
    // `limit`).
    const size_t read_to = root ? pos : pos + 2;
    if (fixed && fixed->any(target, read_to - target)) return kBadOffset;
    if (root) return end;
  }
}

}  // namespace

FixedFields::FixedFields(size_t message_size)
    : used_((std::min(message_size, kReach) + 63) / 64) {
  for (size_t i = 0; i < used_; ++i) words_[i] = 0;
}

size_t read_name(std::span<const uint8_t> msg, size_t offset, Name* out) {
  // Labels are gathered only when `out` wants them, and `out` is left untouched on failure. The
  // walk checks what Name::from_wire would, so the name is copied in without a second pass.
  uint8_t local[kMaxNameLength];
  size_t written = 0;
  const size_t end = walk_name(msg, offset, out ? local : nullptr, written, nullptr);
  if (out && end != kBadOffset) {
    std::memcpy(out->bytes_, local, written);
    out->size_ = static_cast<uint8_t>(written);
  }
  return end;
}

size_t skip_name(std::span<const uint8_t> msg, size_t offset, size_t* expanded,
                 const FixedFields* fixed) {
  size_t written = 0;
  const size_t end = walk_name(msg, offset, nullptr, written, fixed);
  if (expanded) *expanded = end == kBadOffset ? 0 : written;
  return end;
}

uint64_t hash_name(uint64_t fields, const Name& name) { return hash_octets(fields, name.wire()); }

uint64_t hash_octets(uint64_t fields, std::span<const uint8_t> octets, bool fold_case) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ULL;
  const uint64_t fold = fold_case ? 0x2020202020202020ULL : 0;
  const uint8_t* p = octets.data();
  const size_t n = octets.size();
  uint64_t h = 0xcbf29ce484222325ULL ^ fields;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = (h ^ (w | fold)) * kMul;
    h ^= h >> 32;
  }
  uint64_t tail = n;  // the length keeps keys that differ only in padding apart
  for (; i < n; ++i) tail = (tail << 8) | p[i] | (fold & 0xFF);
  h = (h ^ tail) * kMul;
  // MurmurHash3's 64-bit finaliser.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

size_t expanded_name_length(std::span<const uint8_t> msg, size_t offset) {
  size_t n = 0;
  skip_name(msg, offset, &n);
  return n;
}

bool name_equals_ci(std::span<const uint8_t> msg, size_t offset, const Name& name) {
  Name n;
  if (read_name(msg, offset, &n) == kBadOffset) return false;
  return n.equals_ci(name);
}

}  // namespace coredns::dns
