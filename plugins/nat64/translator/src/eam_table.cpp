#include "nat64/eam_table.h"

#include <algorithm>

namespace nat64 {

const EamTable::Entry* EamTable::add(const Entry& e) {
  auto& m4 = by_v4_[e.v4.len];
  auto& m6 = by_v6_[e.v6.len];
  if (auto it = m4.find(e.v4.addr); it != m4.end()) return &entries_[it->second];
  if (auto it = m6.find(e.v6.addr); it != m6.end()) return &entries_[it->second];
  entries_.push_back(e);
  m4.emplace(e.v4.addr, entries_.size() - 1);
  m6.emplace(e.v6.addr, entries_.size() - 1);
  if (std::find(v4_lens_.begin(), v4_lens_.end(), e.v4.len) == v4_lens_.end()) {
    v4_lens_.push_back(e.v4.len);
    std::sort(v4_lens_.rbegin(), v4_lens_.rend());
  }
  if (std::find(v6_lens_.begin(), v6_lens_.end(), e.v6.len) == v6_lens_.end()) {
    v6_lens_.push_back(e.v6.len);
    std::sort(v6_lens_.rbegin(), v6_lens_.rend());
  }
  return nullptr;
}

void EamTable::clear() {
  entries_.clear();
  for (auto& m : by_v4_) m.clear();
  for (auto& m : by_v6_) m.clear();
  v4_lens_.clear();
  v6_lens_.clear();
}

const EamTable::Entry* EamTable::find_v4(V4 a) const {
  for (int len : v4_lens_) {
    const auto& m = by_v4_[len];
    if (auto it = m.find(a & mask4(len)); it != m.end()) return &entries_[it->second];
  }
  return nullptr;
}

const EamTable::Entry* EamTable::find_v6(const V6& a) const {
  if (v6_lens_.empty()) return nullptr;
  const U128 v = to_u128(a);
  for (int len : v6_lens_) {
    const auto& m = by_v6_[len];
    if (auto it = m.find(from_u128(v & mask6(len))); it != m.end()) return &entries_[it->second];
  }
  return nullptr;
}

V6 EamTable::to_v6(const Entry& e, V4 a) {
  const int suffix4 = 32 - e.v4.len;
  if (suffix4 == 0) return e.v6.addr;
  const U128 suffix = U128(a & ~mask4(e.v4.len));
  return from_u128(to_u128(e.v6.addr) | suffix << (128 - e.v6.len - suffix4));
}

V4 EamTable::to_v4(const Entry& e, const V6& a) {
  const int suffix4 = 32 - e.v4.len;
  if (suffix4 == 0) return e.v4.addr;
  const U128 bits = (to_u128(a) & ~mask6(e.v6.len)) >> (128 - e.v6.len - suffix4);
  return e.v4.addr | (static_cast<V4>(bits) & ~mask4(e.v4.len));
}

}  // namespace nat64
