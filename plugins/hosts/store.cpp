#include "plugins/hosts/store.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace coredns::plugins::hosts {

uint64_t hash_name(std::span<const uint8_t> wire) {
  // FNV-1a: names are short, and this runs once per query.
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint8_t c : wire) h = (h ^ c) * 0x100000001b3ull;
  return h ^ (h >> 29);
}

size_t StoreBuilder::V6Hash::operator()(const V6& a) const {
  return hash_name(std::span<const uint8_t>(a.data(), a.size()));
}

uint32_t Store::lookup_slot(std::span<const uint8_t> wire, uint64_t hash) const {
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    uint32_t s = slots_[i];
    if (s == 0) return static_cast<uint32_t>(i);
    const uint8_t* p = &names_[entries_[s - 1].name];
    if (p[0] == wire.size() && std::memcmp(p + 1, wire.data(), wire.size()) == 0)
      return static_cast<uint32_t>(i);
  }
}

const Store::Entry* Store::find(std::span<const uint8_t> wire) const {
  if (slots_.empty()) return nullptr;
  uint32_t s = slots_[lookup_slot(wire, hash_name(wire))];
  return s ? &entries_[s - 1] : nullptr;
}

const Store::Entry* Store::find_wildcard(const dns::Name& lowered) const {
  const uint8_t* w = lowered.data();
  if (w[0] == 0 || w[w[0] + 1] == 0) return nullptr;  // the root or a single label
  uint8_t buf[dns::kMaxNameLength + 2];
  size_t rest = lowered.size() - (w[0] + 1);
  buf[0] = 1;
  buf[1] = '*';
  std::memcpy(buf + 2, w + w[0] + 1, rest);
  return find({buf, rest + 2});
}

std::span<const uint32_t> Store::names_of_v4(const uint8_t addr[4]) const {
  auto it = std::lower_bound(v4_sorted_.begin(), v4_sorted_.end(), addr,
                             [this](uint32_t i, const uint8_t* a) {
                               return std::memcmp(v4_pool_[i].data(), a, 4) < 0;
                             });
  if (it == v4_sorted_.end() || std::memcmp(v4_pool_[*it].data(), addr, 4) != 0) return {};
  return names_of(v4_rev_, *it);
}

std::span<const uint32_t> Store::names_of_v6(const uint8_t addr[16]) const {
  auto it = std::lower_bound(v6_sorted_.begin(), v6_sorted_.end(), addr,
                             [this](uint32_t i, const uint8_t* a) {
                               return std::memcmp(v6_pool_[i].data(), a, 16) < 0;
                             });
  if (it == v6_sorted_.end() || std::memcmp(v6_pool_[*it].data(), addr, 16) != 0) return {};
  return names_of(v6_rev_, *it);
}

size_t Store::memory_bytes() const {
  return names_.capacity() + entries_.capacity() * sizeof(Entry) +
         (slots_.capacity() + refs_.capacity() + v4_sorted_.capacity() + v6_sorted_.capacity() +
          v4_rev_.capacity() + v6_rev_.capacity() + rev_.capacity()) *
             sizeof(uint32_t) +
         v4_pool_.capacity() * 4 + v6_pool_.capacity() * 16;
}

void StoreBuilder::grow() {
  std::vector<uint32_t> slots(s_.slots_.empty() ? 1024 : s_.slots_.size() * 2, 0);
  const size_t mask = slots.size() - 1;
  for (uint32_t e = 0; e < s_.entries_.size(); ++e) {
    const uint8_t* p = &s_.names_[s_.entries_[e].name];
    size_t i = hash_name({p + 1, p[0]}) & mask;
    while (slots[i] != 0) i = (i + 1) & mask;
    slots[i] = e + 1;
  }
  s_.slots_ = std::move(slots);
}

uint32_t StoreBuilder::intern(const dns::Name& lowered) {
  // Kept at most 3/4 full so probes stay short.
  if ((s_.entries_.size() + 1) * 4 > s_.slots_.size() * 3) grow();
  std::span<const uint8_t> wire = lowered.wire();
  uint32_t slot = s_.lookup_slot(wire, hash_name(wire));
  if (s_.slots_[slot] != 0) return s_.slots_[slot] - 1;
  auto e = static_cast<uint32_t>(s_.entries_.size());
  s_.entries_.push_back({static_cast<uint32_t>(s_.names_.size()), 0, 0});
  s_.names_.push_back(static_cast<uint8_t>(wire.size()));
  s_.names_.insert(s_.names_.end(), wire.begin(), wire.end());
  s_.slots_[slot] = e + 1;
  wildcard_.push_back(wire.size() > 2 && wire[0] == 1 && wire[1] == '*');
  return e;
}

void StoreBuilder::add_v4(const uint8_t addr[4], const dns::Name& lowered) {
  uint32_t key;
  std::memcpy(&key, addr, 4);
  auto [it, added] = v4_index_.try_emplace(key, static_cast<uint32_t>(s_.v4_pool_.size()));
  if (added) s_.v4_pool_.push_back({addr[0], addr[1], addr[2], addr[3]});
  uint32_t e = intern(lowered);
  occ_.push_back({e, it->second});
  s_.entries_[e].n4++;
}

void StoreBuilder::add_v6(const uint8_t addr[16], const dns::Name& lowered) {
  V6 key;
  std::memcpy(key.data(), addr, 16);
  auto [it, added] = v6_index_.try_emplace(key, static_cast<uint32_t>(s_.v6_pool_.size()));
  if (added) s_.v6_pool_.push_back(key);
  uint32_t e = intern(lowered);
  occ_.push_back({e, it->second | 0x80000000u});
}

namespace {

// Counting sort of the occurrences by key into CSR form: starts[k]..starts[k+1] index `out`.
template <typename KeyFn, typename ValFn, typename Occ>
void group(const std::vector<Occ>& occ, size_t keys, KeyFn key, ValFn val,
           std::vector<uint32_t>& starts, std::vector<uint32_t>& out) {
  starts.assign(keys + 1, 0);
  size_t n = 0;
  for (const auto& o : occ)
    if (auto k = key(o); k < keys) {
      starts[k + 1]++;
      n++;
    }
  for (size_t k = 0; k < keys; ++k) starts[k + 1] += starts[k];
  out.assign(n, 0);
  std::vector<uint32_t> fill(starts.begin(), starts.end() - 1);
  for (const auto& o : occ)
    if (auto k = key(o); k < keys) out[fill[k]++] = val(o);
}

}  // namespace

Store StoreBuilder::finish() {
  Store& s = s_;
  v4_index_ = {};
  v6_index_ = {};
  const size_t entries = s.entries_.size();
  // Each entry's addresses: its IPv4 ones in line order, then its IPv6 ones. Two passes keyed
  // by (entry, family) keep line order inside each family.
  {
    std::vector<uint32_t> starts;
    group(
        occ_, entries * 2,
        [](const Occurrence& o) { return size_t{o.entry} * 2 + (o.addr >> 31); },
        [](const Occurrence& o) { return o.addr & 0x7fffffffu; }, starts, s.refs_);
    for (size_t e = 0; e < entries; ++e) s.entries_[e].refs = starts[e * 2];
  }
  s.size_ = occ_.size();
  if (reverse_) {
    const size_t n4 = s.v4_pool_.size();
    const uint32_t none = std::numeric_limits<uint32_t>::max();
    // One array for both families: IPv4 pool addresses first, then IPv6.
    std::vector<uint32_t> starts;
    group(
        occ_, n4 + s.v6_pool_.size(),
        [&](const Occurrence& o) -> size_t {
          if (wildcard_[o.entry]) return none;
          return (o.addr >> 31) ? n4 + (o.addr & 0x7fffffffu) : o.addr;
        },
        [](const Occurrence& o) { return o.entry; }, starts, s.rev_);
    s.size_ += s.rev_.size();
    s.v4_rev_.assign(starts.begin(), starts.begin() + n4 + 1);
    s.v6_rev_.assign(starts.begin() + n4, starts.end());
  } else {
    s.v4_rev_.assign(s.v4_pool_.size() + 1, 0);
    s.v6_rev_.assign(s.v6_pool_.size() + 1, 0);
  }
  occ_ = {};
  wildcard_ = {};
  s.v4_sorted_.resize(s.v4_pool_.size());
  for (uint32_t i = 0; i < s.v4_sorted_.size(); ++i) s.v4_sorted_[i] = i;
  std::sort(s.v4_sorted_.begin(), s.v4_sorted_.end(), [&](uint32_t a, uint32_t b) {
    return std::memcmp(s.v4_pool_[a].data(), s.v4_pool_[b].data(), 4) < 0;
  });
  s.v6_sorted_.resize(s.v6_pool_.size());
  for (uint32_t i = 0; i < s.v6_sorted_.size(); ++i) s.v6_sorted_[i] = i;
  std::sort(s.v6_sorted_.begin(), s.v6_sorted_.end(), [&](uint32_t a, uint32_t b) {
    return std::memcmp(s.v6_pool_[a].data(), s.v6_pool_[b].data(), 16) < 0;
  });
  s.names_.shrink_to_fit();
  s.entries_.shrink_to_fit();
  s.v4_pool_.shrink_to_fit();
  s.v6_pool_.shrink_to_fit();
  return std::move(s_);
}

}  // namespace coredns::plugins::hosts
