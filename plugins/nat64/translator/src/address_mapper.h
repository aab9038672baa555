// Address mapping between the two families (nat64-spec §3): static maps (EAM), the RFC 6052
// prefix, the dynamic pool and the translator's own address pair, in Tayga's order, with the
// RFC 7757 hairpinning Tayga lacks.
#pragma once

#include <memory>
#include <optional>

#include "config.h"
#include "counters.h"
#include "dynamic_pool.h"
#include "eam_table.h"

namespace nat64 {

enum class MapStatus : uint8_t {
  ok,
  reject,   // not translatable: drop and answer with an ICMP error
  drop,     // not translatable: drop silently
  hairpin,  // prefix address whose IPv4 form lives on the IPv6 side again (RFC 7757 §4);
            // `out` is set
};

struct MapResult {
  MapStatus status = MapStatus::ok;
  DropReason reason = DropReason::no_destination_mapping;
};

class AddressMapper {
 public:
  explicit AddressMapper(const Config& c);

  // Replaces the map-file entries (SIGHUP). Entries that clash with tayga.conf's maps are
  // refused; returns the messages about them.
  std::vector<std::string> set_file_maps(const std::vector<MapLine>& maps);

  // IPv4 -> IPv6 (4->6 source and destination, and addresses inside ICMP errors).
  MapResult to_v6(V4 a, V6& out, int64_t now);
  // IPv4 -> IPv6 by the RFC 6052 prefix only (the source of a hairpinned packet).
  MapResult to_v6_by_prefix(V4 a, V6& out) const;
  // IPv6 -> IPv4 without allocation (destinations, inner packets). May return hairpin.
  MapResult to_v4(const V6& a, V4& out, int64_t now, bool is_source);
  // IPv6 -> IPv4 for the source of a data packet: may allocate from the dynamic pool.
  MapResult to_v4_source(const V6& a, V4& out, int64_t now, PoolEvent& ev);

  V4 own_v4() const { return own_v4_; }
  const V6& own_v6() const { return own_v6_; }
  const std::optional<Prefix6>& prefix() const { return prefix_; }
  DynamicPool* pool() { return pool_.get(); }
  const EamTable& eam() const { return eam_; }
  // Would an IPv4 address of the IPv6 side (static map, pool) be reached by hairpinning?
  bool v4_lives_on_v6_side(V4 a);
  // Used by the dynamic.map loader: an IPv6 address that no static mapping or prefix covers.
  bool v6_free_for_pool(const V6& a) const;

 private:
  void rebuild();
  bool claimed_v4(V4 a) const;

  std::vector<MapLine> conf_maps_, file_maps_;
  EamTable eam_;
  std::optional<Prefix6> prefix_;
  bool wkpf_strict_;
  bool prefix_is_wkp_ = false;
  bool eam_has_maps_ = false;        // any static map besides the own address pair
  bool eam_overlaps_prefix_ = false; // a map's IPv6 range overlaps the NAT64 prefix
  V4 own_v4_;
  V6 own_v6_;
  std::unique_ptr<DynamicPool> pool_;
};

}  // namespace nat64
