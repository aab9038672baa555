#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>

#include "nat64/dynamic_map_file.h"
#include "nat64/dynamic_pool.h"
#include "test_util.h"

using namespace nat64;
using namespace nat64::test;

namespace {
auto none = [](V4) { return false; };
auto any6 = [](const V6&) { return true; };
}  // namespace

TEST_CASE("dynamic pool: Tayga's preferred slot", "[pool]") {
  DynamicPool p({v4("192.0.2.0"), 24}, none);
  // docs/nat64.md, "Dynamic pool": Tayga gives 2001:db8:c::2 the address 192.0.2.244 from 192.0.2.0/24.
  CHECK(p.preferred_slot(v6("2001:db8:c::2")) == 244);
  PoolEvent ev;
  Lease* l = p.allocate(v6("2001:db8:c::2"), 100, ev);
  REQUIRE(l);
  CHECK(format_v4(l->v4) == "192.0.2.244");
  CHECK(ev == PoolEvent::assigned);
  CHECK(p.dirty());
  // Same host again: same lease, no event.
  CHECK(p.allocate(v6("2001:db8:c::2"), 101, ev) == l);
  CHECK(ev == PoolEvent::none);
}

TEST_CASE("dynamic pool: probing, claimed addresses, exhaustion and LRU takeover", "[pool]") {
  // /30: addresses .1 .2 .3 usable (the network address never is); .2 is claimed by a map.
  DynamicPool p({v4("10.0.0.0"), 30}, [](V4 a) { return a == v4("10.0.0.2"); });
  CHECK(p.capacity() == 2);
  PoolEvent ev;
  Lease* a = p.allocate(v6("2001:db8::a"), 1000, ev);
  Lease* b = p.allocate(v6("2001:db8::b"), 1001, ev);
  REQUIRE((a && b));
  CHECK(a->v4 != b->v4);
  CHECK(a->v4 != v4("10.0.0.2"));
  CHECK(b->v4 != v4("10.0.0.0"));
  // Full, nothing dormant: no address.
  CHECK(p.allocate(v6("2001:db8::c"), 1002, ev) == nullptr);
  // After 2 h 4 min idle both go dormant; the least recently used is taken over.
  const V4 a4 = a->v4;
  p.maintain(1000 + DynamicPool::kDormantAfter + 10, nullptr);
  CHECK(p.active_count() == 0);
  CHECK(p.dormant_count() == 2);
  CHECK(p.find_active_v4(a4) == nullptr);
  V6 stolen;
  Lease* c = p.allocate(v6("2001:db8::c"), 9000, ev, &stolen);
  REQUIRE(c);
  CHECK(ev == PoolEvent::reassigned);
  CHECK(c->v4 == a4);
  CHECK(stolen == v6("2001:db8::a"));
  // A dormant host that comes back gets its own address again.
  Lease* b2 = p.allocate(v6("2001:db8::b"), 9001, ev);
  REQUIRE(b2);
  CHECK(ev == PoolEvent::reactivated);
  // Dormant leases are freed after 14 days.
  p.maintain(9001 + DynamicPool::kFreeAfter + 1, nullptr);
  CHECK(p.active_count() + p.dormant_count() == 0);
}

TEST_CASE("dynamic pool: dynamic.map round trip and load rules", "[pool]") {
  DynamicPool p({v4("192.0.2.0"), 24}, none);
  PoolEvent ev;
  const int64_t now = 1'700'000'000;
  p.allocate(v6("2001:db8::1"), now - 10, ev);
  p.allocate(v6("2001:db8::2"), now - 20000, ev);  // will be dormant
  p.maintain(now, nullptr);
  const std::string text = p.serialize(now);
  CHECK(text.find("Last written:") != std::string::npos);
  CHECK(text.find("\n\n") != std::string::npos);

  DynamicPool q({v4("192.0.2.0"), 24}, none);
  auto st = q.load(text, now, any6);
  CHECK(st.loaded == 2);
  CHECK(st.skipped == 0);
  CHECK(q.active_count() == 1);
  CHECK(q.dormant_count() == 1);
  CHECK(q.serialize(now) == text);

  DynamicPool r({v4("192.0.2.0"), 24}, [](V4 a) { return a == v4("192.0.2.77"); });
  auto st2 = r.load(
      "# comment\n"
      "192.0.2.10\t2001:db8::10\t1699999990\n"
      "192.0.2.11 2001:db8::11\n"                  // malformed: 2 fields
      "192.0.2.12\t2001:db8::12\t0\n"              // last-use 0 is malformed (Tayga too)
      "10.0.0.1\t2001:db8::13\t1699999990\n"       // outside the pool
      "192.0.2.77\t2001:db8::14\t1699999990\n"     // claimed by a static map
      "192.0.2.0\t2001:db8::15\t1699999990\n"      // network address
      "192.0.2.16\t2001:db8::10\t1699999990\n"     // duplicate IPv6
      "192.0.2.17\tfe80::1\t1699999990\n",         // rejected by the caller's check
      now, [](const V6& a) { return a.b[0] != 0xfe; });
  CHECK(st2.loaded == 1);
  CHECK(st2.skipped == 7);
  CHECK(r.find_active_v4(v4("192.0.2.10")) != nullptr);

  // A timestamp in the future: every lease is loaded dormant.
  DynamicPool f({v4("192.0.2.0"), 24}, none);
  f.load("192.0.2.10\t2001:db8::10\t1699999990\n192.0.2.11\t2001:db8::11\t1800000000\n", now, any6);
  CHECK(f.active_count() == 0);
  CHECK(f.dormant_count() == 2);
}

TEST_CASE("dynamic.map is written atomically", "[pool]") {
  char tmpl[] = "/tmp/nat64-test-XXXXXX";
  REQUIRE(mkdtemp(tmpl));
  const std::string dir = tmpl;
  const std::string path = dynamic_map_path(dir);
  std::string err;
  REQUIRE(write_file_atomic(path, "first\n", err));
  REQUIRE(write_file_atomic(path, "second\n", err));
  std::string text;
  REQUIRE(read_file(path, text));
  CHECK(text == "second\n");
  CHECK_FALSE(std::filesystem::exists(path + "~~"));  // no temp file left behind
  CHECK_FALSE(write_file_atomic(dir + "/missing/dynamic.map", "x", err));
  CHECK_FALSE(err.empty());
  std::filesystem::remove_all(dir);
}
