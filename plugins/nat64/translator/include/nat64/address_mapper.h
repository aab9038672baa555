// Address mapping between the two families (docs/nat64.md, "Address mapping"): static maps (EAM), the RFC 6052
// prefix, the dynamic pool and the translator's own address pair, in Tayga's order, with the
// RFC 7757 hairpinning Tayga lacks.
//
// Threads: an AddressMapper is one worker's view. The workers' views share one MapperState:
// the configuration (immutable), the static maps (an immutable snapshot, replaced on a map-file
// reload) and the dynamic pool (locked, with a lease cache per view).
#pragma once

#include <memory>
#include <optional>

#include "nat64/config.h"
#include "nat64/counters.h"
#include "nat64/eam_table.h"
#include "nat64/lease_cache.h"
#include "nat64/shared_pool.h"
#include "nat64/snapshot_cell.h"

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

// The static maps in force: tayga.conf's, the map-file's and the own address pair.
struct StaticMaps {
  EamTable table;
  std::vector<MapLine> file_maps;
  bool has_maps = false;         // any static map besides the own address pair
  bool overlaps_prefix = false;  // a map's IPv6 range overlaps the NAT64 prefix
};

// What all the views of one translator share.
struct MapperState {
  explicit MapperState(const Config& c);

  std::vector<MapLine> conf_maps;
  std::optional<Prefix6> prefix;
  bool wkpf_strict;
  bool prefix_is_wkp = false;
  V4 own_v4;
  V6 own_v6;
  SnapshotCell<StaticMaps> maps;
  std::unique_ptr<SharedPool> pool;
};

class AddressMapper {
 public:
  // A mapper with state of its own (tests, tools).
  explicit AddressMapper(const Config& c);
  // Another view of the same state: one per worker thread.
  explicit AddressMapper(std::shared_ptr<MapperState> state);
  AddressMapper(const AddressMapper&) = delete;
  AddressMapper& operator=(const AddressMapper&) = delete;

  const std::shared_ptr<MapperState>& state() const { return st_; }

  // Worker threads: register the view, then pin the current static maps with enter() when
  // woken and release them with leave() before sleeping. A view that is not registered reads the
  // current maps directly and must not run while another thread reloads them.
  bool attach_worker();
  void enter();
  void leave();

  // Replaces the map-file entries (SIGHUP), for every view: lines gone from the file are
  // unmapped, unchanged ones keep working without a gap. Entries that clash with tayga.conf's
  // maps (or the own addresses) or overlap the dynamic pool are refused; returns the messages
  // about them, each naming file and line. One thread at a time.
  std::vector<std::string> set_file_maps(const std::vector<MapLine>& maps);
  // Frees static maps replaced earlier once no worker can still use them.
  void reclaim();

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
  const std::optional<Prefix6>& prefix() const { return st_->prefix; }
  SharedPool* pool() { return st_->pool.get(); }
  const EamTable& eam() const { return maps_->table; }
  // Would an IPv4 address of the IPv6 side (static map, pool) be reached by hairpinning?
  bool v4_lives_on_v6_side(V4 a);
  // Used by the dynamic.map loader: an IPv6 address that no static mapping or prefix covers.
  bool v6_free_for_pool(const V6& a) const;

 private:
  bool in_prefix(const V6& a) const { return has_prefix_ && ((load64(a.b.data()) & mask_hi_) == net_hi_) &&
                                             ((load64(a.b.data() + 8) & mask_lo_) == net_lo_); }
  V4 extract(const V6& a) const;

  std::shared_ptr<MapperState> st_;
  const StaticMaps* maps_;  // pinned (workers) or current (unregistered views)
  SnapshotCell<StaticMaps>::Reader reader_;
  bool worker_ = false;
  std::optional<LeaseCache> leases_;
  // Copies of the hot immutable state, next to each other.
  V4 own_v4_;
  V6 own_v6_;
  bool has_prefix_ = false, prefix_is_wkp_ = false, wkpf_strict_ = false;
  int prefix_len_ = 0;
  uint64_t net_hi_ = 0, net_lo_ = 0, mask_hi_ = 0, mask_lo_ = 0;
};

}  // namespace nat64
