#pragma once
// A hosts table built for block lists of a million names. Every name is one record in one byte
// arena: its lower-cased wire name, then its addresses as LEB128 indexes into pools of distinct
// addresses (a block list's million `0.0.0.0` lines share one pool slot, so each names it in one
// byte). One open-addressing index of 32-bit record offsets finds a record. About 40 bytes a
// name with the index, against ~600 for the maps of strings CoreDNS keeps
// (plugin/hosts/hostsfile.go).
//
// Order is CoreDNS's: a name's addresses, and an address's names (its PTR targets), come in the
// order of the lines that gave them; nothing is de-duplicated.
#include <array>
#include <cstdint>
#include <iterator>
#include <span>
#include <unordered_map>
#include <vector>

#include "core/dns/name.h"
#include "plugins/hosts/pages.h"

namespace coredns::plugins::hosts {

using V6 = std::array<uint8_t, 16>;

// A run of LEB128-coded pool indexes, read front to back.
class Refs {
 public:
  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = uint32_t;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    iterator(const uint8_t* p, uint32_t left) : p_(p), left_(left) { load(); }
    uint32_t operator*() const { return value_; }
    iterator& operator++() {
      --left_;
      load();
      return *this;
    }
    bool operator==(const iterator& o) const { return left_ == o.left_; }

   private:
    void load();
    const uint8_t* p_ = nullptr;
    uint32_t left_ = 0;
    uint32_t value_ = 0;
  };

  Refs() = default;
  Refs(const uint8_t* p, uint32_t n) : p_(p), n_(n) {}
  iterator begin() const { return {p_, n_}; }
  iterator end() const { return {}; }
  size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }

 private:
  const uint8_t* p_ = nullptr;
  uint32_t n_ = 0;
};

class Store {
 public:
  // An entry is the offset of its record; 0 is none (the arena starts with a pad byte).
  using Entry = uint32_t;
  static constexpr Entry kNone = 0;

  // The entry of a lower-cased wire name, exact match only; kNone if absent.
  Entry find(std::span<const uint8_t> wire) const;
  // The entry for `*.` + the name without its first label (CoreDNS's one-label wildcard); kNone
  // when the name has fewer than two labels or there is no such entry.
  Entry find_wildcard(const dns::Name& lowered) const;

  // An entry's addresses in line order, as pool indexes (IPv4 in network byte order, 4 bytes),
  // both families from one reading of the record's counts.
  struct Addresses {
    Refs v4;
    Refs v6;
  };
  Addresses addresses(Entry e) const;
  const uint8_t* v4(uint32_t i) const { return v4_pool_[i].data(); }
  const uint8_t* v6(uint32_t i) const { return v6_pool_[i].data(); }

  // The names an address was given in line order (no_reverse and wildcard lines give none);
  // empty when the address is unknown.
  std::span<const Entry> names_of_v4(const uint8_t addr[4]) const;
  std::span<const Entry> names_of_v6(const uint8_t addr[16]) const;
  // An entry's name.
  std::span<const uint8_t> name_wire(Entry e) const { return {&data_[e + 1], data_[e]}; }

  // Every entry in turn: first(), then next(e) until kNone.
  Entry first() const { return data_.size() > 1 ? 1 : kNone; }
  Entry next(Entry e) const;

  size_t name_count() const { return names_; }
  // CoreDNS's coredns_hosts_entries count: every address of every name, plus every name of
  // every address (so one `IP NAME` line counts 2 with reverse entries, 1 without).
  size_t size() const { return size_; }
  size_t memory_bytes() const;

 private:
  friend class StoreBuilder;
  std::span<const Entry> names_of(const PagedVector<uint32_t>& starts, uint32_t pool) const {
    return {rev_.data() + starts[pool], starts[pool + 1] - starts[pool]};  // rev_ may be empty
  }
  // The record's address counts and where its v4 indexes start.
  const uint8_t* counts(Entry e, uint32_t& n4, uint32_t& n6) const;

  // Records: [length][wire name][LEB128 IPv4 count][LEB128 IPv6 count][LEB128 pool indexes].
  PagedVector<uint8_t> data_;
  PagedVector<uint32_t> slots_;  // entries; 0 is empty. Size is a power of two.
  size_t names_ = 0;
  PagedVector<std::array<uint8_t, 4>> v4_pool_;
  PagedVector<V6> v6_pool_;
  // Pool indexes sorted by address, for PTR lookups (binary search).
  PagedVector<uint32_t> v4_sorted_;
  PagedVector<uint32_t> v6_sorted_;
  // Reverse lists: rev_[v4_rev_[i] .. v4_rev_[i+1]) are the entries of v4 pool address i.
  PagedVector<uint32_t> v4_rev_;
  PagedVector<uint32_t> v6_rev_;
  PagedVector<Entry> rev_;
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
  PagedVector<std::array<uint8_t, 4>> v4_pool_;
  PagedVector<V6> v6_pool_;
  // Names as they come: [length][wire name] in names_, name i at name_at_[i], found through
  // slots_ (i + 1; 0 is empty).
  PagedVector<uint8_t> names_;
  PagedVector<uint32_t> name_at_;
  PagedVector<uint32_t> slots_;
  std::unordered_map<uint32_t, uint32_t> v4_index_;
  struct V6Hash {
    size_t operator()(const V6& a) const;
  };
  std::unordered_map<V6, uint32_t, V6Hash> v6_index_;
  struct Occurrence {
    uint32_t name;
    uint32_t addr;  // pool index; bit 31 set for IPv6
  };
  PagedVector<Occurrence> occ_;
};

uint64_t hash_name(std::span<const uint8_t> wire);

}  // namespace coredns::plugins::hosts
