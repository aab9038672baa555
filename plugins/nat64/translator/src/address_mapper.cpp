#include "address_mapper.h"

#include <algorithm>
#include <fmt/format.h>

#include "address_class.h"
#include "rfc6052.h"

namespace nat64 {

AddressMapper::AddressMapper(const Config& c)
    : conf_maps_(c.maps),
      prefix_(c.prefix),
      wkpf_strict_(c.wkpf_strict),
      own_v4_(c.ipv4_addr.value_or(0)),
      own_v6_(c.ipv6_addr.value_or(V6{})) {
  prefix_is_wkp_ = prefix_ && is_well_known_prefix(*prefix_);
  rebuild();
  if (c.dynamic_pool) pool_ = std::make_unique<DynamicPool>(*c.dynamic_pool, [this](V4 a) { return claimed_v4(a); });
}

void AddressMapper::rebuild() {
  eam_.clear();
  // The translator's own pair is a /32 <-> /128 static map, as in Tayga.
  eam_.add({{own_v4_, 32}, {own_v6_, 128}, "ipv4-addr/ipv6-addr"});
  for (const auto& m : conf_maps_) eam_.add({m.v4, m.v6, m.where});
  for (const auto& m : file_maps_) eam_.add({m.v4, m.v6, m.where});
  eam_has_maps_ = eam_.size() > 1;
  eam_overlaps_prefix_ = false;
  if (prefix_)
    for (const auto& e : eam_.entries()) {
      if (e.v6 == Prefix6{own_v6_, 128}) continue;
      const int shorter = std::min(e.v6.len, prefix_->len);
      if ((to_u128(e.v6.addr) & mask6(shorter)) == (to_u128(prefix_->addr) & mask6(shorter))) eam_overlaps_prefix_ = true;
    }
}

std::vector<std::string> AddressMapper::set_file_maps(const std::vector<MapLine>& maps) {
  std::vector<std::string> msgs;
  file_maps_.clear();
  EamTable probe;
  probe.add({{own_v4_, 32}, {own_v6_, 128}, "ipv4-addr/ipv6-addr"});
  for (const auto& m : conf_maps_) probe.add({m.v4, m.v6, m.where});
  for (const auto& m : maps) {
    if (const auto* clash = probe.add({m.v4, m.v6, m.where})) {
      msgs.push_back(fmt::format("{}: map conflicts with {}, ignored", m.where, clash->where));
      continue;
    }
    file_maps_.push_back(m);
  }
  rebuild();
  if (pool_) pool_->set_claimed([this](V4 a) { return claimed_v4(a); });
  return msgs;
}

bool AddressMapper::claimed_v4(V4 a) const { return a == own_v4_ || eam_.find_v4(a) != nullptr; }

bool AddressMapper::v6_free_for_pool(const V6& a) const {
  if (v6_is_invalid(a) || eam_.find_v6(a)) return false;
  return !(prefix_ && prefix_->contains(a));
}

MapResult AddressMapper::to_v6(V4 a, V6& out, int64_t now) {
  if (a == own_v4_) {
    out = own_v6_;
    return {};
  }
  if (eam_has_maps_) {
    if (const auto* e = eam_.find_v4(a)) {
      out = EamTable::to_v6(*e, a);
      return {};
    }
  }
  if (pool_ && pool_->contains(a)) {
    if (Lease* l = pool_->find_active_v4(a)) {
      l->last_use = now;
      out = l->v6;
      return {};
    }
    return {MapStatus::reject, DropReason::pool_address_unassigned};
  }
  return to_v6_by_prefix(a, out);
}

MapResult AddressMapper::to_v6_by_prefix(V4 a, V6& out) const {
  if (!prefix_) return {MapStatus::reject, DropReason::no_destination_mapping};
  if (prefix_is_wkp_ && wkpf_strict_ && v4_is_non_global(a)) return {MapStatus::reject, DropReason::wkpf_non_global};
  out = rfc6052::embed(*prefix_, a);
  return {};
}

bool AddressMapper::v4_lives_on_v6_side(V4 a) {
  return (pool_ && pool_->contains(a)) || (eam_has_maps_ && eam_.find_v4(a) != nullptr);
}

MapResult AddressMapper::to_v4(const V6& a, V4& out, int64_t now, bool is_source) {
  // Fast paths for the common case (nat64-spec §3.1 order kept): an address under the prefix
  // can only be the translator's own or a map overlapping the prefix, never a pool lease.
  const bool in_prefix = prefix_ && prefix_->contains(a);
  if (a == own_v6_) {
    out = own_v4_;
    return {};
  }
  if (eam_has_maps_ && (!in_prefix || eam_overlaps_prefix_)) {
    if (const auto* e = eam_.find_v6(a)) {
      out = EamTable::to_v4(*e, a);
      return {};
    }
  }
  if (pool_ && !in_prefix) {
    if (Lease* l = pool_->find_active_v6(a)) {
      l->last_use = now;
      out = l->v4;
      return {};
    }
  }
  if (in_prefix) {
    const V4 v4 = rfc6052::extract(*prefix_, a);
    if (v4_is_invalid(v4))
      return {MapStatus::drop, is_source ? DropReason::invalid_source : DropReason::invalid_destination};
    if (prefix_is_wkp_ && wkpf_strict_ && v4_is_non_global(v4)) return {MapStatus::reject, DropReason::wkpf_non_global};
    out = v4;
    // An IPv4 address that belongs to the IPv6 side (static map, pool): for a destination this
    // is RFC 7757 hairpinning; a source claiming it is spoofed.
    if (v4 != own_v4_ && v4_lives_on_v6_side(v4)) return {MapStatus::hairpin, DropReason::no_destination_mapping};
    return {};
  }
  return {MapStatus::reject, is_source ? DropReason::no_source_mapping : DropReason::no_destination_mapping};
}

MapResult AddressMapper::to_v4_source(const V6& a, V4& out, int64_t now, PoolEvent& ev) {
  ev = PoolEvent::none;
  MapResult r = to_v4(a, out, now, true);
  // A data packet whose source claims an address of the IPv6 side is spoofed.
  if (r.status == MapStatus::hairpin) return {MapStatus::drop, DropReason::invalid_source};
  if (r.status != MapStatus::reject || r.reason != DropReason::no_source_mapping || !pool_) return r;
  Lease* l = pool_->allocate(a, now, ev);
  if (!l) return {MapStatus::reject, DropReason::pool_exhausted};
  out = l->v4;
  return {};
}

}  // namespace nat64
