#include <catch2/catch.hpp>

#include "nat64/address_mapper.h"
#include "nat64/eam_table.h"
#include "nat64/rfc6052.h"
#include "test_util.h"

using namespace nat64;
using namespace nat64::test;

TEST_CASE("rfc6052: every prefix length (RFC 6052 §2.4 table)", "[addrmap]") {
  struct Case {
    const char* prefix;
    int len;
    const char* embedded;
  };
  const Case cases[] = {
      {"2001:db8::", 32, "2001:db8:c000:221::"},
      {"2001:db8:100::", 40, "2001:db8:1c0:2:21::"},
      {"2001:db8:122::", 48, "2001:db8:122:c000:2:2100::"},
      {"2001:db8:122:300::", 56, "2001:db8:122:3c0:0:221::"},
      {"2001:db8:122:344::", 64, "2001:db8:122:344:c0:2:2100:0"},
      {"2001:db8:122:344::", 96, "2001:db8:122:344::c000:221"},
  };
  const V4 a = v4("192.0.2.33");
  for (const auto& c : cases) {
    const Prefix6 p{v6(c.prefix), c.len};
    INFO(c.prefix << "/" << c.len);
    CHECK(rfc6052::valid_length(c.len));
    CHECK(format_v6(rfc6052::embed(p, a)) == c.embedded);
    CHECK(rfc6052::extract(p, v6(c.embedded)) == a);
    // The u octet (bits 64-71) and the suffix are ignored on the way back (RFC 6052 §2.2).
    V6 noisy = v6(c.embedded);
    noisy.b[8] = 0xff;
    if (c.len < 96) noisy.b[15] = 0x77;
    CHECK(rfc6052::extract(p, noisy) == a);
  }
  for (int len : {0, 24, 33, 72, 80, 128}) CHECK_FALSE(rfc6052::valid_length(len));
}

TEST_CASE("eam: longest prefix match both ways, unequal suffixes (RFC 7757)", "[addrmap]") {
  EamTable t;
  REQUIRE(t.add({{v4("10.0.0.0"), 24}, {v6("2001:db8:2::"), 120}, "a"}) == nullptr);
  REQUIRE(t.add({{v4("10.0.0.128"), 25}, {v6("2001:db8:9::"), 64}, "b"}) == nullptr);   // unequal suffix
  REQUIRE(t.add({{v4("10.0.0.200"), 32}, {v6("2001:db8:2::77"), 128}, "c"}) == nullptr);  // nested in a's IPv6
  CHECK(t.add({{v4("10.0.0.0"), 24}, {v6("2001:db8:3::"), 120}, "dup4"}) != nullptr);
  CHECK(t.add({{v4("10.9.0.0"), 24}, {v6("2001:db8:2::"), 120}, "dup6"}) != nullptr);

  const auto* e = t.find_v4(v4("10.0.0.5"));
  REQUIRE(e);
  CHECK(format_v6(EamTable::to_v6(*e, v4("10.0.0.5"))) == "2001:db8:2::5");
  e = t.find_v4(v4("10.0.0.130"));
  REQUIRE(e);
  CHECK(e->where == "b");
  // The 7 suffix bits go right after the /64; the rest of the IPv6 suffix is zero.
  CHECK(format_v6(EamTable::to_v6(*e, v4("10.0.0.130"))) == "2001:db8:9:0:400::");
  CHECK(EamTable::to_v4(*e, v6("2001:db8:9:0:400::")) == v4("10.0.0.130"));
  CHECK(EamTable::to_v4(*e, v6("2001:db8:9:0:401:ffff::1")) == v4("10.0.0.130"));  // trailing bits ignored
  e = t.find_v4(v4("10.0.0.200"));
  CHECK(e->where == "c");
  // IPv6 overlap: the /128 inside the /120 wins for its address.
  CHECK(t.find_v6(v6("2001:db8:2::77"))->where == "c");
  CHECK(t.find_v6(v6("2001:db8:2::76"))->where == "a");
  CHECK(t.find_v4(v4("10.1.0.1")) == nullptr);
  CHECK(t.find_v6(v6("2001:db8:4::1")) == nullptr);
}

TEST_CASE("address mapper: Tayga's order, WKP rules, hairpin detection", "[addrmap]") {
  Config c = config_from(
      "tun-device t\nipv4-addr 192.0.2.1\nprefix 64:ff9b::/96\ndynamic-pool 45.0.0.0/24\n"
      "map 45.1.0.5 2001:db8:5::5\nipv6-addr 2001:db8::1\n");
  AddressMapper m(c);
  V6 o6;
  V4 o4;
  const int64_t now = 1'700'000'000;
  // Static map first.
  CHECK(m.to_v6(v4("45.1.0.5"), o6, now).status == MapStatus::ok);
  CHECK(format_v6(o6) == "2001:db8:5::5");
  CHECK(m.to_v4(v6("2001:db8:5::5"), o4, now, false).status == MapStatus::ok);
  CHECK(o4 == v4("45.1.0.5"));
  // Prefix with a global address.
  CHECK(m.to_v6(v4("8.8.8.8"), o6, now).status == MapStatus::ok);
  CHECK(format_v6(o6) == "64:ff9b::808:808");
  // WKP + non-global is refused both ways (RFC 6052 §3.1).
  auto r = m.to_v6(v4("10.1.2.3"), o6, now);
  CHECK(r.status == MapStatus::reject);
  CHECK(r.reason == DropReason::wkpf_non_global);
  CHECK(m.to_v4(v6("64:ff9b::a01:203"), o4, now, false).reason == DropReason::wkpf_non_global);
  // Invalid embedded addresses are dropped silently.
  CHECK(m.to_v4(v6("64:ff9b::7f00:1"), o4, now, false).status == MapStatus::drop);
  // Pool address without a lease: reject; no allocation from the IPv4 side.
  r = m.to_v6(v4("45.0.0.9"), o6, now);
  CHECK(r.status == MapStatus::reject);
  CHECK(r.reason == DropReason::pool_address_unassigned);
  // The IPv6 source allocates; afterwards both directions map.
  PoolEvent ev;
  REQUIRE(m.to_v4_source(v6("2001:db8:c::2"), o4, now, ev).status == MapStatus::ok);
  CHECK(ev == PoolEvent::assigned);
  CHECK(format_v4(o4) == "45.0.0.244");
  CHECK(m.to_v6(o4, o6, now).status == MapStatus::ok);
  CHECK(format_v6(o6) == "2001:db8:c::2");
  // A destination whose IPv4 form lives on the IPv6 side hairpins (RFC 7757 §4).
  CHECK(m.to_v4(v6("64:ff9b::2d01:5"), o4, now, false).status == MapStatus::hairpin);
  CHECK(m.to_v4(v6("64:ff9b::2d00:f4"), o4, now, false).status == MapStatus::hairpin);
  // ... but as the source of a data packet it is spoofed.
  CHECK(m.to_v4_source(v6("64:ff9b::2d01:5"), o4, now, ev).status == MapStatus::drop);
  // Not in the prefix, not a map, not the source: reject.
  CHECK(m.to_v4(v6("2001:db8:ffff::1"), o4, now, false).status == MapStatus::reject);
  // Own pair.
  CHECK(m.to_v6(v4("192.0.2.1"), o6, now).status == MapStatus::ok);
  CHECK(format_v6(o6) == "2001:db8::1");
}

TEST_CASE("address mapper: map-file replaces its own maps, never tayga.conf's", "[addrmap]") {
  Config c = config_from("tun-device t\nipv4-addr 192.0.2.1\nprefix 2001:db8:64::/96\nmap 10.0.0.1 2001:db8:1::1\n");
  AddressMapper m(c);
  MapLine a, b;
  REQUIRE_FALSE(parse_map_args("10.0.0.2", "2001:db8:1::2", a));
  REQUIRE_FALSE(parse_map_args("10.0.0.1", "2001:db8:1::9", b));
  auto msgs = m.set_file_maps({a, b});
  CHECK(msgs.size() == 1);  // b clashes with tayga.conf's map
  V6 o6;
  CHECK(m.to_v6(v4("10.0.0.2"), o6, 0).status == MapStatus::ok);
  CHECK(format_v6(o6) == "2001:db8:1::2");
  CHECK(format_v6((m.to_v6(v4("10.0.0.1"), o6, 0), o6)) == "2001:db8:1::1");
  m.set_file_maps({});
  CHECK(m.to_v6(v4("10.0.0.2"), o6, 0).status == MapStatus::ok);
  CHECK(format_v6(o6) == "2001:db8:64::a00:2");  // back to the prefix
}
