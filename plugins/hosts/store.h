#pragma once
// A hosts table built for block lists of a million names: every name in one arena of
// lower-cased wire names, one open-addressing index of 32-bit entry numbers, addresses as
// indexes into pools of distinct addresses (a block list's million `0.0.0.0` lines share one
// pool slot). About 40 bytes a name, against ~600 for the maps of strings CoreDNS keeps
// (plugin/hosts/hostsfile.go).
//
// Order is CoreDNS's: a name's addresses, and an address's names (its PTR targets), come in the
// order of the lines that gave them; nothing is de-duplicated.
#include <array>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "core/dns/name.h"

namespace coredns::plugins::hosts {

using V6 = std::array<uint8_t, 16>;

class Store {
 public:
  struct Entry {
    uint32_t name;  // offset of [length][wire name] in names_
    uint32_t refs;  // its n4 IPv4 pool indexes, then its IPv6 ones up to the next entry's refs
    uint32_t n4;
  };

  // The entry of a lower-cased wire name, exact match only; null if absent.
  const Entry* find(std::span<const uint8_t> wire) const;
  // The entry for `*.` + the name without its first label (CoreDNS's one-label wildcard); null
  // when the name has fewer than two labels or there is no such entry.
  const Entry* find_wildcard(const dns::Name& lowered) const;

  // An entry's addresses in line order (IPv4 in network byte order, as 4 bytes).
  std::span<const uint32_t> v4_refs(const Entry& e) const { return {refs_.data() + e.refs, e.n4}; }
  std::span<const uint32_t> v6_refs(const Entry& e) const {
    const size_t end = &e + 1 == entries_.data() + entries_.size() ? refs_.size() : (&e + 1)->refs;
    return {refs_.data() + e.refs + e.n4, end - e.refs - e.n4};
  }
  const uint8_t* v4(uint32_t i) const { return v4_pool_[i].data(); }
  const uint8_t* v6(uint32_t i) const { return v6_pool_[i].data(); }

  // The names an address was given in line order (no_reverse and wildcard lines give none);
  // empty when the address is unknown.
  std::span<const uint32_t> names_of_v4(const uint8_t addr[4]) const;
  std::span<const uint32_t> names_of_v6(const uint8_t addr[16]) const;
  // An entry's name (from names_of_*).
  std::span<const uint8_t> name_wire(uint32_t entry) const { return name_of(entries_[entry]); }
  std::span<const uint8_t> name_of(const Entry& e) const {
    const uint8_t* p = &names_[e.name];
    return {p + 1, p[0]};
  }

  size_t name_count() const { return entries_.size(); }
  // CoreDNS's coredns_hosts_entries count: every address of every name, plus every name of
  // every address (so one `IP NAME` line counts 2 with reverse entries, 1 without).
  size_t size() const { return size_; }
  size_t memory_bytes() const;

 private:
  friend class StoreBuilder;
  std::span<const uint32_t> names_of(const std::vector<uint32_t>& starts, uint32_t pool) const {
    return {rev_.data() + starts[pool], starts[pool + 1] - starts[pool]};  // rev_ may be empty
  }
  uint32_t lookup_slot(std::span<const uint8_t> wire, uint64_t hash) const;

  std::vector<uint8_t> names_;
  std::vector<Entry> entries_;
  std::vector<uint32_t> slots_;  // entry + 1; 0 is empty. Size is a power of two.
  std::vector<uint32_t> refs_;
  std::vector<std::array<uint8_t, 4>> v4_pool_;
  std::vector<V6> v6_pool_;
  // Pool indexes sorted by address, for PTR lookups (binary search).
  std::vector<uint32_t> v4_sorted_;
  std::vector<uint32_t> v6_sorted_;
  // Reverse lists: rev_[v4_rev_[i] .. v4_rev_[i+1]) are the entries of v4 pool address i.
  std::vector<uint32_t> v4_rev_;
  std::vector<uint32_t> v6_rev_;
  std::vector<uint32_t> rev_;
  size_t size_ = 0;
};

// Collects (address, name) pairs line by line, then lays them out as a Store.
class StoreBuilder {
 public:
  explicit StoreBuilder(bool reverse) : reverse_(reverse) {}
  void add_v4(const uint8_t addr[4], const dns::Name& lowered);
  void add_v6(const uint8_t addr[16], const dns::Name& lowered);
  // Consumes the builder.
  Store finish();

 private:
  uint32_t intern(const dns::Name& lowered);
  void grow();

  bool reverse_;
  Store s_;
  std::unordered_map<uint32_t, uint32_t> v4_index_;
  struct V6Hash {
    size_t operator()(const V6& a) const;
  };
  std::unordered_map<V6, uint32_t, V6Hash> v6_index_;
  struct Occurrence {
    uint32_t entry;
    uint32_t addr;  // pool index; bit 31 set for IPv6
  };
  std::vector<Occurrence> occ_;
  std::vector<uint8_t> wildcard_;  // per entry: its name starts with the `*` label
};

uint64_t hash_name(std::span<const uint8_t> wire);

}  // namespace coredns::plugins::hosts
