// Tayga's dynamic pool (tayga.conf(5) dynamic-pool; docs/nat64.md, "Dynamic pool"): one IPv4 address per IPv6 host, allocated on the first
// IPv6->IPv4 packet, kept while used, dormant after 2 h 4 min idle, freed after 14 days or
// when a new host needs it and the pool is full (least recently used dormant lease first).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "nat64/ip.h"

namespace nat64 {

struct Lease {
  V4 v4 = 0;
  V6 v6;
  int64_t last_use = 0;  // Unix seconds
  bool active = true;
};

enum class PoolEvent : uint8_t { none, assigned, reactivated, reassigned, dormant, freed, loaded };
const char* pool_event_name(PoolEvent e);

class DynamicPool {
 public:
  static constexpr int64_t kDormantAfter = 7440;           // 2 h 4 min
  static constexpr int64_t kFreeAfter = 14 * 24 * 3600;    // 14 days

  // `claimed` tells whether a pool address belongs to something more specific (a static map,
  // the translator's own ipv4-addr): such addresses are never handed out.
  DynamicPool(Prefix4 range, std::function<bool(V4)> claimed);

  const Prefix4& range() const { return range_; }
  bool contains(V4 a) const { return range_.contains(a); }

  // IPv4 -> IPv6: active leases only (dormant ones are not revived by IPv4 traffic).
  Lease* find_active_v4(V4 a);
  // IPv6 -> IPv4 without allocation: active leases only.
  Lease* find_active_v6(const V6& a);
  // IPv6 -> IPv4 for the source of a data packet: existing lease, reactivated dormant lease,
  // or a new one. nullptr when the pool is exhausted. `ev` says what happened.
  Lease* allocate(const V6& a, int64_t now, PoolEvent& ev, V6* stolen_from = nullptr);

  // Lease timers; calls `log` for every state change.
  void maintain(int64_t now, const std::function<void(PoolEvent, const Lease&)>& log);

  // Recomputes the claimed addresses (after a map-file reload); leases on addresses that are
  // now claimed are dropped.
  void set_claimed(std::function<bool(V4)> claimed);

  // Persistence (dynamic.map, Tayga's format).
  std::string serialize(int64_t now) const;
  struct LoadStats {
    size_t loaded = 0, skipped = 0;
    std::vector<std::string> notices;
  };
  // `usable_v6` rejects IPv6 addresses that collide with static maps or the prefix.
  LoadStats load(std::string_view text, int64_t now, const std::function<bool(const V6&)>& usable_v6);

  // A lease was created or moved since the last save (Tayga writes the file then).
  bool dirty() const { return dirty_; }
  void mark_saved(int64_t now) { dirty_ = false; last_saved_ = now; }
  int64_t last_saved() const { return last_saved_; }

  size_t active_count() const { return active_; }
  size_t dormant_count() const { return by_v4_.size() - active_count(); }
  uint64_t capacity() const { return usable_; }

  // Tayga's preferred slot: the four 32-bit words of the IPv6 address, read little-endian (as
  // Tayga on x86 does, so a host gets the same address it got from Tayga), added with
  // end-around carry folded into the pool's host bits.
  uint32_t preferred_slot(const V6& a) const;

 private:
  bool slot_free(uint32_t slot) const;
  void count_usable();

  Prefix4 range_;
  uint32_t host_bits_;
  std::function<bool(V4)> claimed_;
  uint64_t usable_ = 0;
  std::unordered_map<V4, Lease> by_v4_;
  // Points into by_v4_ (its nodes do not move), so a lookup by IPv6 is one hash probe.
  std::unordered_map<V6, Lease*, V6Hash> by_v6_;
  size_t active_ = 0;
  bool dirty_ = false;
  int64_t last_saved_ = 0;
};

}  // namespace nat64
