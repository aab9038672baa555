#include "nat64/address_mapper.h"

#include <algorithm>
#include <fmt/format.h>

#include "nat64/address_class.h"
#include "nat64/rfc6052.h"

namespace nat64 {

namespace {

std::shared_ptr<StaticMaps> build_maps(const std::vector<MapLine>& conf_maps, const std::vector<MapLine>& file_maps,
                                       const std::optional<Prefix6>& prefix, V4 own_v4, const V6& own_v6) {
  auto m = std::make_shared<StaticMaps>();
  // The translator's own pair is a /32 <-> /128 static map, as in Tayga.
  m->table.add({{own_v4, 32}, {own_v6, 128}, "ipv4-addr/ipv6-addr"});
  for (const auto& l : conf_maps) m->table.add({l.v4, l.v6, l.where});
  for (const auto& l : file_maps) m->table.add({l.v4, l.v6, l.where});
  m->file_maps = file_maps;
  m->has_maps = m->table.size() > 1;
  if (prefix)
    for (const auto& e : m->table.entries()) {
      if (e.v6 == Prefix6{own_v6, 128}) continue;
      const int shorter = std::min(e.v6.len, prefix->len);
      if ((to_u128(e.v6.addr) & mask6(shorter)) == (to_u128(prefix->addr) & mask6(shorter))) m->overlaps_prefix = true;
    }
  return m;
}

// Pool addresses a static map or the own address claims are never handed out. The pool keeps
// the maps it was given alive on its own (it checks them under its lock, from any thread).
std::function<bool(V4)> claimed_by(std::shared_ptr<const StaticMaps> maps, V4 own_v4) {
  return [maps = std::move(maps), own_v4](V4 a) { return a == own_v4 || maps->table.find_v4(a) != nullptr; };
}

bool overlaps(const Prefix4& a, const Prefix4& b) {
  const int shorter = std::min(a.len, b.len);
  return (a.addr & mask4(shorter)) == (b.addr & mask4(shorter));
}

}  // namespace

MapperState::MapperState(const Config& c)
    : conf_maps(c.maps),
      prefix(c.prefix),
      wkpf_strict(c.wkpf_strict),
      own_v4(c.ipv4_addr.value_or(0)),
      own_v6(c.ipv6_addr.value_or(V6{})),
      maps(build_maps(conf_maps, {}, prefix, own_v4, own_v6)) {
  prefix_is_wkp = prefix && is_well_known_prefix(*prefix);
  if (c.dynamic_pool) pool = std::make_unique<SharedPool>(*c.dynamic_pool, claimed_by(maps.current_shared(), own_v4));
}

AddressMapper::AddressMapper(const Config& c) : AddressMapper(std::make_shared<MapperState>(c)) {}

AddressMapper::AddressMapper(std::shared_ptr<MapperState> state)
    : st_(std::move(state)), maps_(st_->maps.current()), own_v4_(st_->own_v4), own_v6_(st_->own_v6) {
  if (st_->pool) leases_.emplace(*st_->pool);
  has_prefix_ = st_->prefix.has_value();
  prefix_is_wkp_ = st_->prefix_is_wkp;
  wkpf_strict_ = st_->wkpf_strict;
  if (has_prefix_) {
    prefix_len_ = st_->prefix->len;
    const U128 m = mask6(prefix_len_), n = to_u128(st_->prefix->addr) & m;
    mask_hi_ = static_cast<uint64_t>(m >> 64), mask_lo_ = static_cast<uint64_t>(m);
    net_hi_ = static_cast<uint64_t>(n >> 64), net_lo_ = static_cast<uint64_t>(n);
  }
}

bool AddressMapper::attach_worker() {
  worker_ = st_->maps.attach(reader_);
  return worker_;
}

void AddressMapper::enter() {
  if (worker_) maps_ = reader_.enter();
}

void AddressMapper::leave() {
  if (worker_) reader_.leave();
}

std::vector<std::string> AddressMapper::set_file_maps(const std::vector<MapLine>& maps) {
  std::vector<std::string> msgs;
  std::vector<MapLine> accepted;
  EamTable probe;
  probe.add({{own_v4_, 32}, {own_v6_, 128}, "ipv4-addr/ipv6-addr"});
  for (const auto& m : st_->conf_maps) probe.add({m.v4, m.v6, m.where});
  const std::optional<Prefix4> pool = st_->pool ? std::optional(st_->pool->range()) : std::nullopt;
  for (const auto& m : maps) {
    // The pool's addresses belong to it alone: a map-file may not take any of them.
    if (pool && overlaps(*pool, m.v4)) {
      msgs.push_back(fmt::format("{}: map overlaps the dynamic-pool {}/{}, ignored", m.where, format_v4(pool->addr),
                                 pool->len));
      continue;
    }
    if (const auto* clash = probe.add({m.v4, m.v6, m.where})) {
      msgs.push_back(fmt::format("{}: map conflicts with {}, ignored", m.where, clash->where));
      continue;
    }
    accepted.push_back(m);
  }
  st_->maps.publish(build_maps(st_->conf_maps, accepted, st_->prefix, own_v4_, own_v6_));
  if (!worker_) maps_ = st_->maps.current();
  if (st_->pool) {
    auto claimed = claimed_by(st_->maps.current_shared(), own_v4_);
    st_->pool->modify([&](DynamicPool& p) { p.set_claimed(std::move(claimed)); });
  }
  return msgs;
}

void AddressMapper::reclaim() { st_->maps.reclaim(); }

bool AddressMapper::v6_free_for_pool(const V6& a) const {
  if (v6_is_invalid(a) || maps_->table.find_v6(a)) return false;
  return !in_prefix(a);
}

V4 AddressMapper::extract(const V6& a) const {
  if (prefix_len_ == 96) return load32(a.b.data() + 12);
  return rfc6052::extract(*st_->prefix, a);
}

MapResult AddressMapper::to_v6(V4 a, V6& out, int64_t now) {
  if (a == own_v4_) {
    out = own_v6_;
    return {};
  }
  if (maps_->has_maps) {
    if (const auto* e = maps_->table.find_v4(a)) {
      out = EamTable::to_v6(*e, a);
      return {};
    }
  }
  if (leases_ && st_->pool->contains(a)) {
    if (auto v6 = leases_->v6_of(a, now)) {
      out = *v6;
      return {};
    }
    return {MapStatus::reject, DropReason::pool_address_unassigned};
  }
  return to_v6_by_prefix(a, out);
}

MapResult AddressMapper::to_v6_by_prefix(V4 a, V6& out) const {
  if (!has_prefix_) return {MapStatus::reject, DropReason::no_destination_mapping};
  if (prefix_is_wkp_ && wkpf_strict_ && v4_is_non_global(a)) return {MapStatus::reject, DropReason::wkpf_non_global};
  out = rfc6052::embed(*st_->prefix, a);
  return {};
}

bool AddressMapper::v4_lives_on_v6_side(V4 a) {
  return (leases_ && st_->pool->contains(a)) || (maps_->has_maps && maps_->table.find_v4(a) != nullptr);
}

MapResult AddressMapper::to_v4(const V6& a, V4& out, int64_t now, bool is_source) {
  // Fast paths for the common case (the order of docs/nat64.md, "Address mapping", kept): an
  // address under the prefix can only be the translator's own or a map overlapping the prefix,
  // never a pool lease.
  const bool prefixed = in_prefix(a);
  if (a == own_v6_) {
    out = own_v4_;
    return {};
  }
  if (maps_->has_maps && (!prefixed || maps_->overlaps_prefix)) {
    if (const auto* e = maps_->table.find_v6(a)) {
      out = EamTable::to_v4(*e, a);
      return {};
    }
  }
  if (leases_ && !prefixed) {
    if (auto v4 = leases_->v4_of(a, now)) {
      out = *v4;
      return {};
    }
  }
  if (prefixed) {
    const V4 v4 = extract(a);
    if (v4_is_dropped(v4))
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
  if (r.status != MapStatus::reject || r.reason != DropReason::no_source_mapping || !leases_) return r;
  auto v4 = leases_->allocate(a, now, ev);
  if (!v4) return {MapStatus::reject, DropReason::pool_exhausted};
  out = *v4;
  return {};
}

}  // namespace nat64
