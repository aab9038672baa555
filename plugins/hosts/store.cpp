#include "plugins/hosts/store.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace coredns::plugins::hosts {
namespace {

const uint8_t* read_varint(const uint8_t* p, uint32_t& v) {
  uint32_t x = 0;
  for (unsigned shift = 0;; shift += 7) {
    const uint8_t b = *p++;
    x |= uint32_t{b & 0x7fu} << shift;
    if (!(b & 0x80)) break;
  }
  v = x;
  return p;
}

const uint8_t* skip_varints(const uint8_t* p, uint32_t n) {
  for (; n > 0; --n)
    while (*p++ & 0x80) {
    }
  return p;
}

size_t varint_size(uint32_t v) {
  size_t n = 1;
  for (; v >= 0x80; v >>= 7) ++n;
  return n;
}

void put_varint(PagedVector<uint8_t>& out, uint32_t v) {
  for (; v >= 0x80; v >>= 7) out.push_back(static_cast<uint8_t>(v | 0x80));
  out.push_back(static_cast<uint8_t>(v));
}

// The slot of `slots` holding `wire`, or the empty one where it would go. `record(s)` is the
// [length][wire name] that slot value s stands for.
template <typename RecordOf>
size_t probe(const PagedVector<uint32_t>& slots, std::span<const uint8_t> wire, uint64_t hash,
             RecordOf record) {
  const size_t mask = slots.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const uint32_t s = slots[i];
    if (s == 0) return i;
    const uint8_t* p = record(s);
    if (p[0] == wire.size() && std::memcmp(p + 1, wire.data(), wire.size()) == 0) return i;
  }
}

bool is_wildcard(const uint8_t* record) { return record[0] > 2 && record[1] == 1 && record[2] == '*'; }

}  // namespace

uint64_t hash_name(std::span<const uint8_t> wire) {
  // FNV-1a: names are short, and this runs once per query. By pointer: a span's iterator is a
  // few calls per byte in an unoptimised build, where a reload hashes every name twice.
  uint64_t h = 0xcbf29ce484222325ull;
  for (const uint8_t *p = wire.data(), *end = p + wire.size(); p != end; ++p)
    h = (h ^ *p) * 0x100000001b3ull;
  return h ^ (h >> 29);
}

void Refs::iterator::load() {
  if (left_ != 0) p_ = read_varint(p_, value_);
}

size_t StoreBuilder::V6Hash::operator()(const V6& a) const {
  return hash_name(std::span<const uint8_t>(a.data(), a.size()));
}

Store::Entry Store::find(std::span<const uint8_t> wire) const {
  if (slots_.empty()) return kNone;
  return slots_[probe(slots_, wire, hash_name(wire), [this](uint32_t s) { return &data_[s]; })];
}

Store::Entry Store::find_wildcard(const dns::Name& lowered) const {
  const uint8_t* w = lowered.data();
  if (w[0] == 0 || w[w[0] + 1] == 0) return kNone;  // the root or a single label
  uint8_t buf[dns::kMaxNameLength + 2];
  size_t rest = lowered.size() - (w[0] + 1);
  buf[0] = 1;
  buf[1] = '*';
  std::memcpy(buf + 2, w + w[0] + 1, rest);
  return find({buf, rest + 2});
}

const uint8_t* Store::counts(Entry e, uint32_t& n4, uint32_t& n6) const {
  const uint8_t* p = &data_[e];
  p = read_varint(p + 1 + p[0], n4);
  return read_varint(p, n6);
}

Store::Addresses Store::addresses(Entry e) const {
  uint32_t n4, n6;
  const uint8_t* p = counts(e, n4, n6);
  return {{p, n4}, {skip_varints(p, n4), n6}};
}

Store::Entry Store::next(Entry e) const {
  uint32_t n4, n6;
  const uint8_t* p = counts(e, n4, n6);
  p = skip_varints(p, n4 + n6);
  const auto off = static_cast<size_t>(p - data_.data());
  return off < data_.size() ? static_cast<Entry>(off) : kNone;
}

std::span<const Store::Entry> Store::names_of_v4(const uint8_t addr[4]) const {
  auto it = std::lower_bound(v4_sorted_.begin(), v4_sorted_.end(), addr,
                             [this](uint32_t i, const uint8_t* a) {
                               return std::memcmp(v4_pool_[i].data(), a, 4) < 0;
                             });
  if (it == v4_sorted_.end() || std::memcmp(v4_pool_[*it].data(), addr, 4) != 0) return {};
  return names_of(v4_rev_, *it);
}

std::span<const Store::Entry> Store::names_of_v6(const uint8_t addr[16]) const {
  auto it = std::lower_bound(v6_sorted_.begin(), v6_sorted_.end(), addr,
                             [this](uint32_t i, const uint8_t* a) {
                               return std::memcmp(v6_pool_[i].data(), a, 16) < 0;
                             });
  if (it == v6_sorted_.end() || std::memcmp(v6_pool_[*it].data(), addr, 16) != 0) return {};
  return names_of(v6_rev_, *it);
}

size_t Store::memory_bytes() const {
  return data_.capacity() +
         (slots_.capacity() + v4_sorted_.capacity() + v6_sorted_.capacity() +
          v4_rev_.capacity() + v6_rev_.capacity() + rev_.capacity()) *
             sizeof(uint32_t) +
         v4_pool_.capacity() * 4 + v6_pool_.capacity() * 16;
}

void StoreBuilder::grow() {
  // Kept at most 3/4 full so probes stay short.
  PagedVector<uint32_t> slots(slots_.empty() ? 1024 : slots_.size() * 2, 0);
  const size_t mask = slots.size() - 1;
  for (uint32_t n = 0; n < name_at_.size(); ++n) {
    const uint8_t* p = &names_[name_at_[n]];
    size_t i = hash_name({p + 1, p[0]}) & mask;
    while (slots[i] != 0) i = (i + 1) & mask;
    slots[i] = n + 1;
  }
  slots_ = std::move(slots);
}

uint32_t StoreBuilder::intern(const dns::Name& lowered) {
  if ((name_at_.size() + 1) * 4 > slots_.size() * 3) grow();
  std::span<const uint8_t> wire = lowered.wire();
  const size_t slot = probe(slots_, wire, hash_name(wire),
                            [this](uint32_t s) { return &names_[name_at_[s - 1]]; });
  if (slots_[slot] != 0) return slots_[slot] - 1;
  auto n = static_cast<uint32_t>(name_at_.size());
  name_at_.push_back(static_cast<uint32_t>(names_.size()));
  names_.push_back(static_cast<uint8_t>(wire.size()));
  names_.append(wire.data(), wire.data() + wire.size());
  slots_[slot] = n + 1;
  return n;
}

void StoreBuilder::add_v4(const uint8_t addr[4], const dns::Name& lowered) {
  uint32_t key;
  std::memcpy(&key, addr, 4);
  auto [it, added] = v4_index_.try_emplace(key, static_cast<uint32_t>(v4_pool_.size()));
  if (added) v4_pool_.push_back({addr[0], addr[1], addr[2], addr[3]});
  occ_.push_back({intern(lowered), it->second});
}

void StoreBuilder::add_v6(const uint8_t addr[16], const dns::Name& lowered) {
  V6 key;
  std::memcpy(key.data(), addr, 16);
  auto [it, added] = v6_index_.try_emplace(key, static_cast<uint32_t>(v6_pool_.size()));
  if (added) v6_pool_.push_back(key);
  occ_.push_back({intern(lowered), it->second | 0x80000000u});
}

namespace {

// Counting sort of the occurrences by key into CSR form: starts[k]..starts[k+1] index `out`.
template <typename KeyFn, typename ValFn, typename Occ>
void group(const PagedVector<Occ>& occ, size_t keys, KeyFn key, ValFn val,
           PagedVector<uint32_t>& starts, PagedVector<uint32_t>& out) {
  starts.assign(keys + 1, 0);
  size_t n = 0;
  for (const auto& o : occ)
    if (auto k = key(o); k < keys) {
      starts[k + 1]++;
      n++;
    }
  for (size_t k = 0; k < keys; ++k) starts[k + 1] += starts[k];
  out.assign(n, 0);
  PagedVector<uint32_t> fill(starts.begin(), starts.end() - 1);
  for (const auto& o : occ)
    if (auto k = key(o); k < keys) out[fill[k]++] = val(o);
}

template <typename T>
void sort_pool(const PagedVector<T>& pool, PagedVector<uint32_t>& sorted) {
  sorted.resize(pool.size());
  for (uint32_t i = 0; i < sorted.size(); ++i) sorted[i] = i;
  std::sort(sorted.begin(), sorted.end(), [&](uint32_t a, uint32_t b) {
    return std::memcmp(pool[a].data(), pool[b].data(), sizeof(T)) < 0;
  });
}

}  // namespace

Store StoreBuilder::finish() {
  Store s;
  v4_index_ = {};
  v6_index_ = {};
  const size_t names = name_at_.size();
  s.names_ = names;
  s.size_ = occ_.size();
  {
    // Each name's addresses: its IPv4 ones in line order, then its IPv6 ones. Keyed by
    // (name, family), so a family's count is the distance between two starts.
    PagedVector<uint32_t> starts, refs;
    group(
        occ_, names * 2,
        [](const Occurrence& o) { return size_t{o.name} * 2 + (o.addr >> 31); },
        [](const Occurrence& o) { return o.addr & 0x7fffffffu; }, starts, refs);
    // Sized first, so that the arena holds no spare capacity.
    size_t total = 1;
    for (size_t n = 0; n < names; ++n) {
      total += 1 + names_[name_at_[n]] + varint_size(starts[n * 2 + 1] - starts[n * 2]) +
               varint_size(starts[n * 2 + 2] - starts[n * 2 + 1]);
    }
    for (uint32_t r : refs) total += varint_size(r);
    s.data_.reserve(total);
    s.data_.push_back(0);  // entry 0 is none
    for (size_t n = 0; n < names; ++n) {
      const uint8_t* p = &names_[name_at_[n]];
      name_at_[n] = static_cast<uint32_t>(s.data_.size());  // from here on: the entry
      s.data_.append(p, p + 1 + p[0]);
      put_varint(s.data_, starts[n * 2 + 1] - starts[n * 2]);
      put_varint(s.data_, starts[n * 2 + 2] - starts[n * 2 + 1]);
      for (uint32_t i = starts[n * 2]; i < starts[n * 2 + 2]; ++i) put_varint(s.data_, refs[i]);
    }
  }
  names_ = {};
  // The index already has the final size (it grew with the names): only its values change.
  for (uint32_t& slot : slots_)
    if (slot != 0) slot = name_at_[slot - 1];
  s.slots_ = std::move(slots_);
  const size_t n4 = v4_pool_.size();
  if (reverse_) {
    const uint32_t none = std::numeric_limits<uint32_t>::max();
    // One array for both families: IPv4 pool addresses first, then IPv6.
    PagedVector<uint32_t> starts;
    group(
        occ_, n4 + v6_pool_.size(),
        [&](const Occurrence& o) -> size_t {
          if (is_wildcard(&s.data_[name_at_[o.name]])) return none;
          return (o.addr >> 31) ? n4 + (o.addr & 0x7fffffffu) : o.addr;
        },
        [&](const Occurrence& o) { return name_at_[o.name]; }, starts, s.rev_);
    s.size_ += s.rev_.size();
    s.v4_rev_.assign(starts.begin(), starts.begin() + n4 + 1);
    s.v6_rev_.assign(starts.begin() + n4, starts.end());
  } else {
    s.v4_rev_.assign(n4 + 1, 0);
    s.v6_rev_.assign(v6_pool_.size() + 1, 0);
  }
  occ_ = {};
  name_at_ = {};
  s.v4_pool_ = std::move(v4_pool_);
  s.v6_pool_ = std::move(v6_pool_);
  s.v4_pool_.shrink_to_fit();
  s.v6_pool_.shrink_to_fit();
  sort_pool(s.v4_pool_, s.v4_sorted_);
  sort_pool(s.v6_pool_, s.v6_sorted_);
  return s;
}

}  // namespace coredns::plugins::hosts
