// What lets several workers share one translator's state: snapshots of the static maps freed
// only when no worker can hold them, the dynamic pool's lock and the per-worker lease cache,
// and translation on several threads while the map-file is reloaded.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "nat64/address_mapper.h"
#include "nat64/metrics_text.h"
#include "nat64/snapshot_cell.h"
#include "test_util.h"

using namespace nat64;
using namespace nat64::test;

TEST_CASE("snapshot cell: a replaced snapshot lives while a reader may hold it", "[workers]") {
  auto first = std::make_shared<const int>(1);
  std::weak_ptr<const int> watch_first = first;
  SnapshotCell<int> cell(std::move(first));
  SnapshotCell<int>::Reader a, b;
  REQUIRE(cell.attach(a));
  REQUIRE(cell.attach(b));
  CHECK(*a.enter() == 1);  // a holds snapshot 1; b is idle
  cell.publish(std::make_shared<const int>(2));
  CHECK(*cell.current() == 2);
  CHECK_FALSE(watch_first.expired());
  CHECK(*b.enter() == 2);
  cell.reclaim();
  CHECK_FALSE(watch_first.expired());  // a has not moved on
  CHECK(*a.enter() == 2);               // ... now it has
  cell.reclaim();
  CHECK(watch_first.expired());
  // An idle reader holds nothing back.
  std::weak_ptr<const int> watch_second = cell.current_shared();
  a.leave();
  b.leave();
  cell.publish(std::make_shared<const int>(3));
  CHECK(watch_second.expired());
  CHECK(cell.retired() == 0);
}

TEST_CASE("snapshot cell: reader slots are reused", "[workers]") {
  SnapshotCell<int> cell(std::make_shared<const int>(0));
  for (int i = 0; i < 1000; ++i) {
    SnapshotCell<int>::Reader r;
    REQUIRE(cell.attach(r));
    r.enter();
  }
  SnapshotCell<int>::Reader held;
  REQUIRE(cell.attach(held));
  held.enter();
  cell.publish(std::make_shared<const int>(1));
  CHECK(cell.retired() == 1);
}

TEST_CASE("lease cache: hits, invalidation by the pool, last use kept current", "[workers]") {
  SharedPool pool({v4("10.0.0.0"), 24}, [](V4) { return false; });
  LeaseCache a(pool), b(pool);
  PoolEvent ev;
  const V6 host = v6("2001:db8::1");
  auto v4a = a.allocate(host, 1000, ev);
  REQUIRE(v4a);
  CHECK(ev == PoolEvent::assigned);
  // The other worker finds it through the pool, then in its own cache.
  CHECK(b.v4_of(host, 1000) == v4a);
  CHECK(b.v6_of(*v4a, 1000) == host);
  // A later second reports the use to the pool.
  CHECK(b.v4_of(host, 5000) == v4a);
  CHECK(pool.locked([&](DynamicPool& p) { return p.find_active_v4(*v4a)->last_use; }) == 5000);
  // Dormant after 2 h 4 min without use: cached entries stop answering.
  pool.modify([](DynamicPool& p) { p.maintain(5000 + DynamicPool::kDormantAfter + 1, nullptr); });
  CHECK_FALSE(a.v4_of(host, 5000 + DynamicPool::kDormantAfter + 1));
  CHECK_FALSE(b.v6_of(*v4a, 5000 + DynamicPool::kDormantAfter + 1));
}

TEST_CASE("lease cache: a takeover ends the previous host's cached mapping", "[workers]") {
  SharedPool pool({v4("10.0.0.0"), 31}, [](V4) { return false; });
  LeaseCache w(pool);
  PoolEvent ev;
  const V6 old_host = v6("2001:db8::1"), new_host = v6("2001:db8::2");
  auto addr = w.allocate(old_host, 1000, ev);
  REQUIRE(addr);
  CHECK(w.v4_of(old_host, 1000) == addr);
  pool.modify([](DynamicPool& p) { p.maintain(1000 + DynamicPool::kDormantAfter + 1, nullptr); });
  LeaseCache other(pool);
  CHECK(other.allocate(new_host, 20000, ev) == addr);
  CHECK(ev == PoolEvent::reassigned);
  CHECK_FALSE(w.v4_of(old_host, 20000));
  CHECK(w.v6_of(*addr, 20000) == new_host);
}

TEST_CASE("workers: translating on threads while the map-file is reloaded", "[workers]") {
  const Config cfg = config_from(
      "tun-device t\nipv4-addr 192.0.2.1\nprefix 64:ff9b::/96\nwkpf-strict no\n"
      "dynamic-pool 198.51.100.0/24\n");
  AddressMapper control(cfg);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> translated{0};
  std::atomic<bool> attached{true};
  auto worker = [&](int id) {  // no Catch2 assertions on these threads
    AddressMapper view(control.state());
    if (!view.attach_worker()) attached = false;
    Counters counters;
    Translator tr(view, counters, TranslatorSettings::from(cfg));
    uint64_t n = 0;
    while (!stop || n < 2000) {
      view.enter();
      // A pool host per worker, and a host mapped by the map-file (when it is loaded).
      Bytes p = ipv6_packet(v6(id ? "2001:db8:c::2" : "2001:db8:c::3"), v6("64:ff9b::808:808"), 17, udp(1, 2, {1, 2, 3}));
      fix_l4(p);
      n += tr.process(p.data(), p.size(), true, 1'700'000'000'000 + int64_t(n)).size();
      Bytes q = ipv4_packet(v4("8.8.8.8"), v4("10.9.0.1"), 17, udp(2, 1, {4, 5, 6}));
      fix_l4(q);
      tr.process(q.data(), q.size(), false, 1'700'000'000'000);
      view.leave();
    }
    translated += n;
  };
  std::thread t1(worker, 0), t2(worker, 1);
  MapLine m;
  REQUIRE_FALSE(parse_map_args("10.9.0.0/24", "2001:db8:9::/120", m));
  for (int i = 0; i < 300; ++i) {
    control.set_file_maps(i % 2 ? std::vector<MapLine>{m} : std::vector<MapLine>{});
    control.reclaim();
  }
  stop = true;
  t1.join();
  t2.join();
  CHECK(attached);
  CHECK(translated >= 4000);
  control.reclaim();
  CHECK(control.state()->maps.retired() == 0);
}

TEST_CASE("metrics: TUN batches and their packets, summed over the workers, and the I/O path", "[workers]") {
  Counters a, b;
  a.read_batches.add(2);
  a.read_batch_packets.add(30);  // a batch of 16 and one of 14
  b.read_batches.add(1);
  b.read_batch_packets.add(1);
  a.write_batches.add(3);
  a.write_batch_packets.add(29);
  const Counters* workers[] = {&a, &b};
  MetricsSnapshot s;
  s.workers = workers;
  s.tun_io = "uring";
  const std::string m = render_metrics(s);
  CHECK(m.find("nat64_tun_batches_total{op=\"read\"} 3\n") != std::string::npos);
  CHECK(m.find("nat64_tun_batch_packets_total{op=\"read\"} 31\n") != std::string::npos);
  CHECK(m.find("nat64_tun_batches_total{op=\"write\"} 3\n") != std::string::npos);
  CHECK(m.find("nat64_tun_batch_packets_total{op=\"write\"} 29\n") != std::string::npos);
  CHECK(m.find("# TYPE nat64_tun_batches_total counter\n") != std::string::npos);
  CHECK(m.find("nat64_tun_io{path=\"uring\"} 1\n") != std::string::npos);
}
