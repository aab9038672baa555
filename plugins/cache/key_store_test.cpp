// Keys, the per-shard index, capacity and eviction.
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <set>

#include "plugins/cache/key.h"
#include "plugins/cache/slot_index.h"
#include "plugins/cache/store.h"
#include "tests/unit/dns_test_support.h"

using namespace coredns;
using testing::lowered;
using namespace coredns::plugins::cache;

namespace {

std::unique_ptr<Entry> entry(uint64_t hash, int64_t stored_ns = 0, uint32_t ttl = 60) {
  auto e = Entry::make({}, {}, {});
  e->hash = hash;
  e->stored_ns = stored_ns;
  e->orig_ttl = ttl;
  return e;
}

const auto never_dead = [](const Entry&) { return false; };

}  // namespace

TEST_CASE("key: DO, CD, type, class and name separate entries; case does not") {
  const auto n = lowered("example.org.");
  const uint64_t base = make_key(n, dns::type::A, dns::cls::IN, false, false).hash;
  std::set<uint64_t> hashes = {
      base,
      make_key(n, dns::type::AAAA, dns::cls::IN, false, false).hash,
      make_key(n, dns::type::A, dns::cls::IN, true, false).hash,
      make_key(n, dns::type::A, dns::cls::IN, false, true).hash,
      make_key(n, dns::type::A, dns::cls::IN, true, true).hash,
      make_key(n, dns::type::A, dns::cls::CH, false, false).hash,
      make_key(lowered("example.net."), dns::type::A, dns::cls::IN, false, false).hash,
  };
  CHECK(hashes.size() == 7);
  CHECK(make_key(lowered("EXAMPLE.org."), dns::type::A, dns::cls::IN, false, false).hash == base);
}

TEST_CASE("key: names spread over every shard") {
  std::set<uint64_t> shards;
  for (int i = 0; i < 4096; ++i) {
    auto n = lowered(("host" + std::to_string(i) + ".example.org.").c_str());
    shards.insert(make_key(n, dns::type::A, dns::cls::IN, false, false).hash & (kShards - 1));
  }
  CHECK(shards.size() == kShards);
}

TEST_CASE("slot index agrees with a map under random inserts and erases") {
  SlotIndex idx;
  std::map<uint64_t, uint32_t> ref;
  std::mt19937_64 rng(7);
  // Few distinct hashes sharing their low 8 bits, as within one shard: long probe runs.
  for (int step = 0; step < 20000; ++step) {
    const uint64_t h = ((rng() % 300) << 8) | 0x2a;
    switch (rng() % 3) {
      case 0:
      case 1: {
        const uint32_t slot = static_cast<uint32_t>(rng() % 1000);
        idx.set(h, slot);
        ref[h] = slot;
        break;
      }
      default:
        idx.erase(h);
        ref.erase(h);
    }
    if (step % 97 == 0) {
      REQUIRE(idx.size() == ref.size());
      for (uint64_t k = 0; k < 300; ++k) {
        const uint64_t probe = (k << 8) | 0x2a;
        auto it = ref.find(probe);
        REQUIRE(idx.find(probe) == (it == ref.end() ? SlotIndex::kNone : it->second));
      }
    }
  }
}

TEST_CASE("part: replacing a key keeps the count; a new key in a full part evicts one") {
  Part p(4);
  for (uint64_t h = 1; h <= 4; ++h) CHECK_FALSE(p.put(entry(h << 8), never_dead).dropped);
  CHECK(p.size() == 4);
  auto replaced = p.put(entry(2 << 8), never_dead);
  CHECK(replaced.dropped);
  CHECK_FALSE(replaced.evicted);
  CHECK(p.size() == 4);
  auto evicted = p.put(entry(9 << 8), never_dead);
  CHECK(evicted.evicted);
  REQUIRE(evicted.dropped);
  CHECK(p.size() == 4);
  CHECK(p.find(9 << 8));
  CHECK_FALSE(p.find(evicted.dropped->hash));
}

TEST_CASE("part: CLOCK spares entries hit since the hand passed, and takes dead ones first") {
  Part p(4);
  for (uint64_t h = 1; h <= 4; ++h) p.put(entry(h << 8), never_dead);
  // Hits on 1, 2 and 4: the unreferenced 3 goes.
  for (uint64_t h : {1, 2, 4}) p.find(h << 8)->referenced = true;
  auto r = p.put(entry(5 << 8), never_dead);
  REQUIRE(r.dropped);
  CHECK(r.dropped->hash == (3 << 8));
  // A dead entry goes even when it was referenced.
  p.find(1 << 8)->referenced = true;
  p.find(2 << 8)->referenced = true;
  auto dead2 = [](const Entry& e) { return e.hash == (2 << 8); };
  r = p.put(entry(6 << 8), dead2);
  REQUIRE(r.dropped);
  CHECK(r.dropped->hash == (2 << 8));
}

TEST_CASE("part: remove keeps the others findable") {
  Part p(8);
  for (uint64_t h = 1; h <= 6; ++h) p.put(entry(h << 8), never_dead);
  CHECK(p.remove(2 << 8));
  CHECK_FALSE(p.remove(2 << 8));
  CHECK(p.size() == 5);
  for (uint64_t h : {1, 3, 4, 5, 6}) CHECK(p.find(h << 8));
  CHECK_FALSE(p.find(2 << 8));
}

TEST_CASE("store: capacity is max(CAP / 256, 4) per shard, and stays within it") {
  CHECK(shard_capacity(10000) == 39);
  CHECK(shard_capacity(10) == 4);
  CHECK(shard_capacity(0) == 4);
  CHECK(shard_capacity(2560) == 10);
  Store store(2560, 0);
  std::mt19937_64 rng(1);
  size_t evictions = 0;
  for (int i = 0; i < 20000; ++i) {
    auto e = entry(rng());
    e->kind = Kind::success;
    Shard& s = store.shard(e->hash);
    std::lock_guard<std::mutex> lock(s.mu);
    evictions += s.success.put(std::move(e), never_dead).evicted;
  }
  size_t total = 0;
  for (uint64_t i = 0; i < kShards; ++i) {
    Shard& s = store.shard(i);
    CHECK(s.success.size() <= 10);
    total += s.success.size();
  }
  CHECK(total == 2560);
  CHECK(evictions == 20000 - 2560);
}
