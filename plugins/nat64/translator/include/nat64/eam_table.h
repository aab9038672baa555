// Static address mappings (RFC 7757 Explicit Address Mappings): longest-prefix match in both
// directions, unequal suffix lengths allowed (the IPv6 suffix at least as long as the IPv4 one).
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "nat64/config.h"
#include "nat64/ip.h"

namespace nat64 {

class EamTable {
 public:
  struct Entry {
    Prefix4 v4;
    Prefix6 v6;
    std::string where;
  };

  // Fails (returns the conflicting entry's origin) when the exact IPv4 or IPv6 prefix is
  // already present.
  const Entry* add(const Entry& e);
  void clear();
  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  const std::vector<Entry>& entries() const { return entries_; }

  const Entry* find_v4(V4 a) const;
  const Entry* find_v6(const V6& a) const;

  // RFC 7757 §3.2/§3.3: the IPv4 suffix goes right after the IPv6 prefix; further IPv6 suffix
  // bits are zero one way and ignored the other way.
  static V6 to_v6(const Entry& e, V4 a);
  static V4 to_v4(const Entry& e, const V6& a);

 private:
  std::vector<Entry> entries_;
  // Per prefix length: masked prefix -> index. Lengths present, longest first.
  std::unordered_map<V4, size_t> by_v4_[33];
  std::unordered_map<V6, size_t, V6Hash> by_v6_[129];
  std::vector<int> v4_lens_, v6_lens_;
};

}  // namespace nat64
