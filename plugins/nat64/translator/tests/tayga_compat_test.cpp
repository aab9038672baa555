// Behaving as Tayga does where the RFCs allow it, through the pure translator: map-file reloads,
// address classes, ICMP corner cases, UDP zero checksums (plugins/nat64/README.md, "Differences
// from Tayga", lists the deliberate exceptions).
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "nat64/checksum.h"
#include "nat64/rfc6052.h"
#include "test_util.h"

using namespace nat64;
using namespace nat64::test;

namespace {

Bytes udp6(const V6& s, const V6& d, uint8_t hop = 64) {
  Bytes p = ipv6_packet(s, d, 17, udp(1000, 53, Bytes(12, 7)), hop);
  fix_l4(p);
  return p;
}
Bytes udp4(V4 s, V4 d, uint8_t ttl = 64) {
  Bytes p = ipv4_packet(s, d, 17, udp(53, 1000, Bytes(12, 7)), ttl);
  fix_l4(p);
  return p;
}

// An ICMP error (type, code, four zero bytes) quoting `inner`, with a valid checksum.
Bytes icmp4_error(V4 s, V4 d, uint8_t type, uint8_t code, const Bytes& inner, uint8_t ttl = 64) {
  Bytes e = {type, code, 0, 0, 0, 0, 0, 0};
  e.insert(e.end(), inner.begin(), inner.end());
  Bytes p = ipv4_packet(s, d, 1, e, ttl);
  fix_l4(p);
  return p;
}
Bytes icmp6_error(const V6& s, const V6& d, uint8_t type, uint8_t code, const Bytes& inner, uint8_t hop = 64) {
  Bytes e = {type, code, 0, 0, 0, 0, 0, 0};
  e.insert(e.end(), inner.begin(), inner.end());
  Bytes p = ipv6_packet(s, d, 58, e, hop);
  fix_l4(p);
  return p;
}

// Inserts an 8-byte extension header `type` right after the fixed IPv6 header.
Bytes with_ext_header(Bytes p, uint8_t type) {
  const Bytes eh = {p[6], 0, 0, 0, 0, 0, 0, 0};  // a routing header has segments left 0
  p.insert(p.begin() + 40, eh.begin(), eh.end());
  p[6] = type;
  store16(&p[4], static_cast<uint16_t>(load16(&p[4]) + 8));
  return p;
}

V4 plus(V4 a, int d) { return static_cast<V4>(static_cast<int64_t>(a) + d); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// Address classes

TEST_CASE("tayga: wkpf-strict refuses exactly Tayga's ranges under 64:ff9b::/96", "[tayga][address]") {
  const char* conf =
      "tun-device t\nipv4-addr 192.0.2.1\nipv6-addr 2001:db8::1\nprefix 64:ff9b::/96\n"
      "map 192.88.0.10 2001:db8:c::2\n";  // the IPv6 host, mapped statically
  const V6 host = v6("2001:db8:c::2");
  const V4 host4 = v4("192.88.0.10");
  struct Range {
    const char* net;
    int len;
  };
  const Range refused[] = {{"10.0.0.0", 8},       {"100.64.0.0", 10},    {"172.16.0.0", 12},
                           {"192.0.2.0", 24},      {"192.168.0.0", 16},   {"198.18.0.0", 15},
                           {"198.51.100.0", 24},   {"203.0.113.0", 24}};
  auto embed = [](V4 a) {
    V6 r = v6("64:ff9b::");
    store32(r.b.data() + 12, a);
    return r;
  };
  Harness h(conf);
  // One packet each way for an IPv4 address: what comes out, and whether it was refused.
  auto refused_both_ways = [&](V4 a) {
    const uint64_t before = h.dropped(DropReason::wkpf_non_global);
    auto out6 = h.run(udp6(host, embed(a)));
    auto out4 = h.run(udp4(a, host4));
    const uint64_t refusals = h.dropped(DropReason::wkpf_non_global) - before;
    if (refusals == 2) {
      // Refused with an ICMP error back to the sender (RFC 7915 §4.4, §5.4: 3/13 and 1/1).
      REQUIRE(out6.size() == 1);
      CHECK((out6[0][0] >> 4 == 6 && out6[0][40] == 1 && out6[0][41] == 1));
      REQUIRE(out4.size() == 1);
      CHECK((out4[0][0] >> 4 == 4 && out4[0][20] == 3 && out4[0][21] == 13));
      return true;
    }
    CHECK(refusals == 0);
    // Translated: the 6->4 packet comes out as IPv4 UDP to `a`, the 4->6 one as IPv6 UDP.
    REQUIRE(out6.size() == 1);
    CHECK((out6[0][0] >> 4 == 4 && out6[0][9] == 17 && load32(&out6[0][16]) == a));
    REQUIRE(out4.size() == 1);
    CHECK((out4[0][0] >> 4 == 6 && out4[0][6] == 17 && load_v6(&out4[0][8]) == embed(a)));
    return false;
  };
  for (const auto& r : refused) {
    const V4 first = v4(r.net), last = first | ~mask4(r.len);
    INFO(r.net << "/" << r.len);
    CHECK(refused_both_ways(first));
    CHECK(refused_both_ways(last));
    CHECK_FALSE(refused_both_ways(plus(first, -1)));
    CHECK_FALSE(refused_both_ways(plus(last, 1)));
  }
  // DS-Lite and the CLAT range of IPv6-mostly clients (RFC 7335), and 6to4 relays.
  for (const char* a : {"192.0.0.0", "192.0.0.1", "192.0.0.7", "192.0.0.8", "192.88.99.1", "240.0.0.1"}) {
    INFO(a);
    CHECK_FALSE(refused_both_ways(v4(a)));
  }
  // wkpf-strict no: nothing is refused.
  Harness loose(std::string(conf) + "wkpf-strict no\n");
  auto out = loose.run(udp6(host, embed(v4("10.1.2.3"))));
  REQUIRE(out.size() == 1);
  CHECK(out[0][0] >> 4 == 4);
}

TEST_CASE("tayga: link-local, 0/8 and 127/8 are dropped silently, both ways", "[tayga][address]") {
  for (const char* strict : {"yes", "no"}) {
    std::string conf = kConf;
    conf.replace(conf.find("wkpf-strict no"), 14, fmt::format("wkpf-strict {}\nipv6-addr 2001:db8::1", strict));
    Harness h(conf);
    REQUIRE(h.run(udp6(kClient, kServer6)).size() == 1);  // the client's pool lease
    for (const char* a : {"169.254.0.1", "169.254.255.254", "0.0.0.0", "0.1.2.3", "127.0.0.1", "127.255.0.1"}) {
      INFO(a << ", wkpf-strict " << strict);
      const V4 bad = v4(a);
      V6 bad6 = v6("64:ff9b::");
      store32(bad6.b.data() + 12, bad);
      const uint64_t dropped = h.counters.dropped_total();
      // IPv4 source or destination.
      CHECK(h.run(udp4(bad, kClient4)).empty());
      CHECK(h.run(udp4(kServer, bad)).empty());
      // The IPv6 form under the prefix, as destination or source.
      CHECK(h.run(udp6(kClient, bad6)).empty());
      CHECK(h.run(udp6(bad6, v6("2001:db8:5::5"))).empty());
      // An ICMPv4 error from such a router (RFC 7915 §4.1 would translate it; Tayga drops it).
      CHECK(h.run(icmp4_error(bad, kClient4, 3, 1, udp4(kClient4, kServer))).empty());
      CHECK(h.counters.dropped_total() == dropped + 5);
    }
    // The same ICMP error from a global router is translated: the test can fail.
    CHECK(h.run(icmp4_error(v4("8.8.4.4"), kClient4, 3, 1, udp4(kClient4, kServer))).size() == 1);
  }
}

// ---------------------------------------------------------------------------------------------
// ICMP corner cases

TEST_CASE("tayga: no ICMP error about an ICMP error whose TTL or hop limit runs out", "[tayga][icmp]") {
  Harness h(kConf);
  REQUIRE(h.run(udp6(kClient, kServer6)).size() == 1);
  const Bytes inner4 = udp4(kClient4, kServer);
  const Bytes inner6 = udp6(kClient, kServer6);
  CHECK(h.run(icmp4_error(kServer, kClient4, 3, 1, inner4, 1)).empty());
  CHECK(h.run(icmp4_error(kServer, kClient4, 11, 0, inner4, 1)).empty());
  CHECK(h.run(icmp6_error(kClient, kServer6, 1, 4, inner6, 1)).empty());
  CHECK(h.run(icmp6_error(kClient, kServer6, 3, 0, inner6, 1)).empty());
  CHECK(h.dropped(DropReason::ttl_expired) == 4);
  // A data packet or an echo whose TTL runs out gets Time Exceeded.
  CHECK(h.run(udp4(kServer, kClient4, 1)).size() == 1);
  CHECK(h.run(udp6(kClient, kServer6, 1)).size() == 1);
}

TEST_CASE("tayga: ICMP errors with an inner packet that cannot be translated are dropped", "[tayga][icmp]") {
  Harness h(kConf);
  REQUIRE(h.run(udp6(kClient, kServer6)).size() == 1);
  const uint64_t sent = h.counters.icmp_errors_translated.get();
  auto none4 = [&](const Bytes& inner) {
    const uint64_t before = h.dropped(DropReason::icmp_inner_invalid);
    CHECK(h.run(icmp4_error(kServer, kClient4, 3, 1, inner)).empty());
    CHECK(h.dropped(DropReason::icmp_inner_invalid) == before + 1);
  };
  auto none6 = [&](const Bytes& inner) {
    const uint64_t before = h.dropped(DropReason::icmp_inner_invalid);
    CHECK(h.run(icmp6_error(kClient, kServer6, 1, 4, inner)).empty());
    CHECK(h.dropped(DropReason::icmp_inner_invalid) == before + 1);
  };
  SECTION("the controls are translated") {
    CHECK(h.run(icmp4_error(kServer, kClient4, 3, 1, udp4(kClient4, kServer))).size() == 1);
    CHECK(h.run(icmp6_error(kClient, kServer6, 1, 4, udp6(kServer6, kClient))).size() == 1);
    CHECK(h.counters.icmp_errors_translated.get() == sent + 2);
  }
  SECTION("ICMPv4: invalid or unmappable inner addresses") {
    none4(udp4(v4("127.0.0.1"), kServer));
    none4(udp4(kClient4, v4("169.254.1.1")));
    none4(udp4(v4("0.0.0.1"), kServer));
    none4(udp4(v4("224.0.0.1"), kServer));
    none4(udp4(v4("198.51.100.9"), kServer));  // a pool address nobody holds
  }
  SECTION("ICMPv6: invalid or unmappable inner addresses") {
    none6(udp6(v6("fe80::1"), kClient));
    none6(udp6(kServer6, v6("ff02::1")));
    none6(udp6(kServer6, v6("2001:db8:ffff::1")));  // matches no map, no lease, no prefix
    none6(udp6(v6("64:ff9b::7f00:1"), kClient));     // 127.0.0.1 under the prefix
  }
  SECTION("ICMPv6: inner extension headers") {
    for (uint8_t eh : {0, 43, 44, 60}) {
      INFO("extension header " << int(eh));
      none6(with_ext_header(udp6(kServer6, kClient), eh));
    }
  }
  SECTION("an inner ICMP error") {
    none6(icmp6_error(kServer6, kClient, 1, 4, udp6(kClient, kServer6)));
    none4(icmp4_error(kClient4, kServer, 3, 3, udp4(kServer, kClient4)));
  }
  SECTION("the other family's ICMP protocol number inside") {
    Bytes v4_in_v6 = udp6(kServer6, kClient);
    v4_in_v6[6] = 1;  // ICMPv4 inside an IPv6 packet
    none6(v4_in_v6);
    Bytes v6_in_v4 = ipv4_packet(kClient4, kServer, 58, Bytes{128, 0, 0, 0, 0, 1, 0, 1});
    none4(v6_in_v4);
  }
}

// ---------------------------------------------------------------------------------------------
// UDP zero checksum

TEST_CASE("tayga: an IPv4 UDP zero checksum is dropped silently by default, and counted", "[tayga][udp]") {
  const Bytes zero = ipv4_packet(kServer, v4("203.0.113.5"), 17, udp(53, 1000, Bytes(20, 1)));
  REQUIRE(load16(&zero[26]) == 0);
  Harness h(kConf);
  CHECK(h.run(zero).empty());
  CHECK(h.run(zero).empty());
  CHECK(h.dropped(DropReason::udp_zero_checksum) == 2);
  Harness drop(std::string(kConf) + "udp-cksum-mode drop\n");
  CHECK(drop.run(zero).empty());
  CHECK(drop.dropped(DropReason::udp_zero_checksum) == 1);
  Harness fwd(std::string(kConf) + "udp-cksum-mode fwd\n");
  CHECK(fwd.run(zero).size() == 1);
  CHECK(fwd.dropped(DropReason::udp_zero_checksum) == 0);
}

// ---------------------------------------------------------------------------------------------
// Map-file reloads

namespace {

MapFileResult map_file(const std::string& text) { return parse_map_file(text, "maps"); }

// Where an IPv4 address goes now: the IPv6 destination of a 4->6 packet, or "" when none.
std::string dest_of(Harness& h, const char* a) {
  auto out = h.run(udp4(kServer, v4(a)));
  if (out.size() != 1 || out[0][0] >> 4 != 6) return "";
  return format_v6(load_v6(&out[0][24]));
}
// Where an IPv6 host's packets come from on the IPv4 side, or "" when refused.
std::string source_of(Harness& h, const char* a) {
  auto out = h.run(udp6(v6(a), rfc6052::embed(*h.cfg.prefix, kServer)));
  if (out.size() != 1 || out[0][0] >> 4 != 4) return "";
  return format_v4(load32(&out[0][12]));
}

}  // namespace

TEST_CASE("tayga: map-file, the later of two lines naming one address wins", "[tayga][mapfile]") {
  auto r = map_file(
      "map 192.0.2.10 2001:db8:a::10\n"
      "map 192.0.2.11 2001:db8:a::11\n"
      "map 192.0.2.10 2001:db8:a::20\n"   // same IPv4 as line 1
      "map 192.0.2.30 2001:db8:a::11\n");  // same IPv6 as line 2
  REQUIRE(r.maps.size() == 2);
  CHECK(r.maps[0].where == "maps:3");
  CHECK(r.maps[1].where == "maps:4");
  REQUIRE(r.errors.size() == 2);
  CHECK(r.errors[0] == "maps:3: replaces the map at maps:1");
  CHECK(r.errors[1] == "maps:4: replaces the map at maps:2");

  // Through the translator: the earlier lines' other addresses are unmapped on both sides.
  Harness h("tun-device t\nipv4-addr 192.0.2.1\nprefix 2001:db8:64::/96\n");
  h.map.set_file_maps(r.maps);
  CHECK(dest_of(h, "192.0.2.10") == "2001:db8:a::20");
  CHECK(dest_of(h, "192.0.2.11") == "2001:db8:64::c000:20b");  // back to the prefix
  CHECK(dest_of(h, "192.0.2.30") == "2001:db8:a::11");
  CHECK(source_of(h, "2001:db8:a::10") == "");  // line 1's IPv6 side: no mapping any more
  CHECK(source_of(h, "2001:db8:a::11") == "192.0.2.30");
}

TEST_CASE("tayga: map-file reloads add, remove and keep lines", "[tayga][mapfile]") {
  Harness h(
      "tun-device t\nipv4-addr 192.0.2.1\nprefix 2001:db8:64::/96\ndynamic-pool 198.51.100.0/24\n"
      "map 203.0.113.5 2001:db8:5::5\n");
  auto reload = [&](const std::string& text) {
    auto r = map_file(text);
    auto msgs = h.map.set_file_maps(r.maps);
    msgs.insert(msgs.begin(), r.errors.begin(), r.errors.end());
    return msgs;
  };
  // The pool and tayga.conf's map work throughout: check them after every step.
  REQUIRE(source_of(h, "2001:db8:c::2") == "198.51.100.244");
  auto steady = [&] {
    CHECK(source_of(h, "2001:db8:c::2") == "198.51.100.244");
    CHECK(dest_of(h, "203.0.113.5") == "2001:db8:5::5");
  };

  CHECK(reload("map 192.0.2.10 2001:db8:a::10\nmap 192.0.2.11 2001:db8:a::11\n").empty());
  CHECK(dest_of(h, "192.0.2.10") == "2001:db8:a::10");
  CHECK(dest_of(h, "192.0.2.11") == "2001:db8:a::11");
  steady();
  // Unchanged file: nothing changes.
  CHECK(reload("map 192.0.2.10 2001:db8:a::10\nmap 192.0.2.11 2001:db8:a::11\n").empty());
  CHECK(dest_of(h, "192.0.2.10") == "2001:db8:a::10");
  // A line added, one removed, one kept.
  CHECK(reload("map 192.0.2.10 2001:db8:a::10\nmap 192.0.2.12 2001:db8:a::12\n").empty());
  CHECK(dest_of(h, "192.0.2.10") == "2001:db8:a::10");
  CHECK(dest_of(h, "192.0.2.11") == "2001:db8:64::c000:20b");
  CHECK(source_of(h, "2001:db8:a::11").starts_with("198.51.100."));  // an unmapped host: the pool
  CHECK(dest_of(h, "192.0.2.12") == "2001:db8:a::12");
  steady();
  // A new line conflicting with one that existed before the reload evicts it, both sides.
  CHECK(reload("map 192.0.2.10 2001:db8:a::10\nmap 192.0.2.12 2001:db8:a::12\nmap 192.0.2.13 2001:db8:a::10\n")
            .size() == 1);
  CHECK(dest_of(h, "192.0.2.10") == "2001:db8:64::c000:20a");
  CHECK(dest_of(h, "192.0.2.13") == "2001:db8:a::10");
  CHECK(source_of(h, "2001:db8:a::10") == "192.0.2.13");
  steady();
  // tayga.conf's map wins over a map-file line naming either of its addresses.
  auto msgs = reload("map 203.0.113.5 2001:db8:a::50\nmap 192.0.2.50 2001:db8:5::5\nmap 192.0.2.12 2001:db8:a::12\n");
  REQUIRE(msgs.size() == 2);
  CHECK(msgs[0].starts_with("maps:1: map conflicts with"));
  CHECK(msgs[1].starts_with("maps:2: map conflicts with"));
  CHECK(dest_of(h, "192.0.2.50") == "2001:db8:64::c000:232");
  CHECK(dest_of(h, "192.0.2.12") == "2001:db8:a::12");
  steady();
  // A line overlapping the dynamic pool is refused; the pool is untouched.
  msgs = reload("map 198.51.100.244 2001:db8:a::99\nmap 198.51.100.0/28 2001:db8:b::/124\n");
  REQUIRE(msgs.size() == 2);
  CHECK(msgs[0] == "maps:1: map overlaps the dynamic-pool 198.51.100.0/24, ignored");
  CHECK(msgs[1].starts_with("maps:2: map overlaps the dynamic-pool"));
  CHECK(dest_of(h, "198.51.100.244") == "2001:db8:c::2");
  steady();
  // An empty file unmaps everything it had mapped.
  CHECK(reload("").empty());
  CHECK(dest_of(h, "192.0.2.12") == "2001:db8:64::c000:20c");
  CHECK(dest_of(h, "192.0.2.13") == "2001:db8:64::c000:20d");
  steady();
}
