#include "nat64/dynamic_pool.h"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <fmt/format.h>

namespace nat64 {

const char* pool_event_name(PoolEvent e) {
  switch (e) {
    case PoolEvent::none: return "none";
    case PoolEvent::assigned: return "assigned";
    case PoolEvent::reactivated: return "reactivated";
    case PoolEvent::reassigned: return "reassigned";
    case PoolEvent::dormant: return "dormant";
    case PoolEvent::freed: return "freed";
    case PoolEvent::loaded: return "loaded";
  }
  return "?";
}

DynamicPool::DynamicPool(Prefix4 range, std::function<bool(V4)> claimed)
    : range_(range), host_bits_(static_cast<uint32_t>(32 - range.len)), claimed_(std::move(claimed)) {
  count_usable();
}

void DynamicPool::count_usable() {
  const uint64_t size = uint64_t(1) << host_bits_;
  // The network address is never handed out (the all-ones address is, as in Tayga).
  uint64_t usable = size - 1;
  // Counting claimed addresses one by one is fine up to a /8; larger pools never fill anyway.
  if (host_bits_ <= 24)
    for (uint64_t i = 1; i < size; ++i)
      if (claimed_(range_.addr + static_cast<V4>(i))) --usable;
  usable_ = usable;
}

void DynamicPool::set_claimed(std::function<bool(V4)> claimed) {
  claimed_ = std::move(claimed);
  count_usable();
  for (auto it = by_v4_.begin(); it != by_v4_.end();) {
    if (claimed_(it->first)) {
      if (it->second.active) --active_;
      by_v6_.erase(it->second.v6);
      it = by_v4_.erase(it);
      dirty_ = true;
    } else {
      ++it;
    }
  }
}

Lease* DynamicPool::find_active_v4(V4 a) {
  auto it = by_v4_.find(a);
  return it != by_v4_.end() && it->second.active ? &it->second : nullptr;
}

Lease* DynamicPool::find_active_v6(const V6& a) {
  auto it = by_v6_.find(a);
  return it != by_v6_.end() && it->second->active ? it->second : nullptr;
}

uint32_t DynamicPool::preferred_slot(const V6& a) const {
  const uint32_t mask = host_bits_ >= 32 ? 0xffffffffu : (1u << host_bits_) - 1;
  uint32_t sum = 0;
  for (size_t w = 0; w < 4; ++w) {
    const uint8_t* p = a.b.data() + 4 * w;
    const uint32_t word = uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
    sum += word;  // wraps at 32 bits, as Tayga's does
    while (sum >> host_bits_) sum = (sum & mask) + (sum >> host_bits_);
  }
  return sum;
}

bool DynamicPool::slot_free(uint32_t slot) const {
  if (slot == 0) return false;
  const V4 a = range_.addr + slot;
  return !by_v4_.contains(a) && !claimed_(a);
}

Lease* DynamicPool::allocate(const V6& a, int64_t now, PoolEvent& ev, V6* stolen_from) {
  ev = PoolEvent::none;
  if (auto it = by_v6_.find(a); it != by_v6_.end()) {
    Lease& l = *it->second;
    if (!l.active) {
      l.active = true;
      ++active_;
      ev = PoolEvent::reactivated;
      dirty_ = true;
    }
    l.last_use = now;
    return &l;
  }
  const uint64_t size = uint64_t(1) << host_bits_;
  if (by_v4_.size() < usable_) {
    uint32_t slot = preferred_slot(a);
    for (uint64_t i = 0; i < size; ++i, slot = static_cast<uint32_t>((slot + 1) & (size - 1))) {
      if (!slot_free(slot)) continue;
      Lease l{range_.addr + slot, a, now, true};
      auto [it, ok] = by_v4_.emplace(l.v4, l);
      by_v6_.emplace(a, &it->second);
      ++active_;
      ev = PoolEvent::assigned;
      dirty_ = true;
      return &it->second;
    }
  }
  // Full: take over the least recently used dormant lease.
  Lease* lru = nullptr;
  for (auto& [v4, l] : by_v4_)
    if (!l.active && (!lru || l.last_use < lru->last_use)) lru = &l;
  if (!lru) return nullptr;
  if (stolen_from) *stolen_from = lru->v6;
  by_v6_.erase(lru->v6);
  lru->v6 = a;
  lru->last_use = now;
  lru->active = true;
  ++active_;
  by_v6_.emplace(a, lru);
  ev = PoolEvent::reassigned;
  dirty_ = true;
  return lru;
}

void DynamicPool::maintain(int64_t now, const std::function<void(PoolEvent, const Lease&)>& log) {
  for (auto it = by_v4_.begin(); it != by_v4_.end();) {
    Lease& l = it->second;
    if (l.active && now - l.last_use > kDormantAfter) {
      l.active = false;
      --active_;
      if (log) log(PoolEvent::dormant, l);
    }
    if (!l.active && now - l.last_use > kFreeAfter) {
      if (log) log(PoolEvent::freed, l);
      by_v6_.erase(l.v6);
      it = by_v4_.erase(it);
      dirty_ = true;
      continue;
    }
    ++it;
  }
}

std::string DynamicPool::serialize(int64_t now) const {
  std::vector<const Lease*> v;
  v.reserve(by_v4_.size());
  for (const auto& [a, l] : by_v4_) v.push_back(&l);
  // Active leases first, then dormant ones, most recently used first (as Tayga writes them).
  std::sort(v.begin(), v.end(), [](const Lease* x, const Lease* y) {
    if (x->active != y->active) return x->active;
    if (x->last_use != y->last_use) return x->last_use > y->last_use;
    return x->v4 < y->v4;
  });
  time_t t = static_cast<time_t>(now);
  struct tm tm{};
  gmtime_r(&t, &tm);
  char when[64];
  strftime(when, sizeof when, "%a %b %e %H:%M:%S %Y", &tm);
  std::string out = fmt::format(
      "###\n###\n### TAYGA dynamic map database\n###\n### You can edit this (carefully!) as long as TAYGA is not running.\n"
      "###\n### Last written: {} UTC\n###\n###\n\n",
      when);
  for (const Lease* l : v) out += fmt::format("{}\t{}\t{}\n", format_v4(l->v4), format_v6(l->v6), l->last_use);
  return out;
}

DynamicPool::LoadStats DynamicPool::load(std::string_view text, int64_t now,
                                         const std::function<bool(const V6&)>& usable_v6) {
  LoadStats st;
  struct Row {
    V4 v4;
    V6 v6;
    int64_t t;
  };
  std::vector<Row> rows;
  bool future = false;
  int lineno = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++lineno;
    std::vector<std::string_view> tok;
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
      if (i >= line.size()) break;
      size_t j = i;
      while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
      tok.push_back(line.substr(i, j - i));
      i = j;
    }
    if (tok.empty() || tok[0][0] == '#') continue;
    auto v4 = tok.size() == 3 ? parse_v4(tok[0]) : std::nullopt;
    auto v6 = tok.size() == 3 ? parse_v6(tok[1]) : std::nullopt;
    int64_t t = 0;
    if (tok.size() == 3) std::from_chars(tok[2].data(), tok[2].data() + tok[2].size(), t);
    if (!v4 || !v6 || t <= 0) {
      st.notices.push_back(fmt::format("dynamic.map line {}: malformed, skipped", lineno));
      ++st.skipped;
      continue;
    }
    if (!range_.contains(*v4) || (*v4 & ~mask4(range_.len)) == 0 || claimed_(*v4)) {
      st.notices.push_back(fmt::format("dynamic.map line {}: {} is not usable in the dynamic pool, skipped", lineno,
                                       format_v4(*v4)));
      ++st.skipped;
      continue;
    }
    if (!usable_v6(*v6)) {
      st.notices.push_back(fmt::format("dynamic.map line {}: {} collides with a static mapping, skipped", lineno,
                                       format_v6(*v6)));
      ++st.skipped;
      continue;
    }
    if (by_v4_.contains(*v4) || by_v6_.contains(*v6) ||
        std::any_of(rows.begin(), rows.end(), [&](const Row& r) { return r.v4 == *v4 || r.v6 == *v6; })) {
      st.notices.push_back(fmt::format("dynamic.map line {}: duplicate entry, skipped", lineno));
      ++st.skipped;
      continue;
    }
    if (t > now) future = true;
    rows.push_back({*v4, *v6, t});
  }
  for (auto& r : rows) {
    // A clock that went backwards makes every lease look fresh: treat all as dormant then.
    if (future) r.t = now - kDormantAfter;
    const bool active = now - r.t < kDormantAfter;
    auto [it, ok] = by_v4_.emplace(r.v4, Lease{r.v4, r.v6, r.t, active});
    by_v6_.emplace(r.v6, &it->second);
    if (active) ++active_;
    ++st.loaded;
  }
  return st;
}

}  // namespace nat64
