// The translator core, packet by packet: header translation, ICMP, fragments, MTU, errors,
// hairpinning, and one test per drop reason.
#include <catch2/catch.hpp>
#include <set>

#include "nat64/checksum.h"
#include "nat64/frame_translator.h"
#include "nat64/packet_view.h"
#include "test_util.h"

using namespace nat64;
using namespace nat64::test;

namespace {

Bytes payload(size_t n) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i);
  return b;
}

Bytes udp6(const V6& s, const V6& d, size_t n, uint8_t hop = 64) {
  Bytes p = ipv6_packet(s, d, 17, udp(1000, 53, payload(n)), hop);
  fix_l4(p);
  return p;
}
Bytes udp4(V4 s, V4 d, size_t n, uint8_t ttl = 64, uint16_t flags = 0x4000) {
  Bytes p = ipv4_packet(s, d, 17, udp(53, 1000, payload(n)), ttl, flags);
  fix_l4(p);
  return p;
}

// Adds a fragment header after the fixed IPv6 header.
Bytes with_frag_header(Bytes p, uint16_t offset_bytes, bool more, uint32_t id) {
  const uint8_t next = p[6];
  Bytes fh(8);
  fh[0] = next;
  store16(&fh[2], static_cast<uint16_t>(offset_bytes | (more ? 1 : 0)));
  store32(&fh[4], id);
  p.insert(p.begin() + 40, fh.begin(), fh.end());
  p[6] = 44;
  store16(&p[4], static_cast<uint16_t>(load16(&p[4]) + 8));
  return p;
}

bool ipv4_header_ok(const Bytes& p) { return csum::fold(csum::add(p.data(), (p[0] & 15) * 4u)) == 0xffff; }

struct Icmp {
  uint8_t type, code;
  uint32_t rest;
};
Icmp icmp4_of(const Bytes& p) { return {p[20], p[21], load32(&p[24])}; }
Icmp icmp6_of(const Bytes& p) { return {p[40], p[41], load32(&p[44])}; }

}  // namespace

TEST_CASE("translate: UDP both ways through the dynamic pool", "[translate]") {
  Harness h(kConf);
  auto out = h.run(udp6(kClient, kServer6, 100));
  REQUIRE(out.size() == 1);
  const Bytes& p = out[0];
  REQUIRE(p.size() == 20 + 8 + 100);
  CHECK(p[0] == 0x45);
  CHECK(load32(&p[12]) == kClient4);
  CHECK(load32(&p[16]) == kServer);
  CHECK(p[8] == 63);                        // hop limit 64 - 1
  CHECK((load16(&p[6]) & 0x4000) == 0);     // DF = 0 below 1260 bytes
  CHECK(ipv4_header_ok(p));
  CHECK(l4_checksum_ok(p));
  CHECK(h.counters.translated_6to4.get() == 1);

  out = h.run(udp4(kServer, kClient4, 100));
  REQUIRE(out.size() == 1);
  CHECK(out[0].size() == 40 + 108);
  CHECK(load_v6(&out[0][8]) == kServer6);
  CHECK(load_v6(&out[0][24]) == kClient);
  CHECK(out[0][6] == 17);
  CHECK(out[0][7] == 63);
  CHECK(l4_checksum_ok(out[0]));
}

TEST_CASE("translate: TCP through a static map, traffic class and TOS", "[translate]") {
  Harness h(kConf);
  Bytes p4 = ipv4_packet(kServer, v4("203.0.113.5"), 6, tcp_syn(443, 5555));
  p4[1] = 0xb8;  // DSCP EF
  store16(&p4[10], 0);
  store16(&p4[10], csum::finish(csum::add(p4.data(), 20)));
  fix_l4(p4);
  auto out = h.run(p4);
  REQUIRE(out.size() == 1);
  CHECK(load_v6(&out[0][24]) == v6("2001:db8:5::5"));
  CHECK(((out[0][0] & 0x0f) << 4 | out[0][1] >> 4) == 0xb8);
  CHECK(l4_checksum_ok(out[0]));
  Bytes p6 = ipv6_packet(v6("2001:db8:5::5"), kServer6, 6, tcp_syn(5555, 443));
  fix_l4(p6);
  out = h.run(p6);
  REQUIRE(out.size() == 1);
  CHECK(load32(&out[0][12]) == v4("203.0.113.5"));
  CHECK(l4_checksum_ok(out[0]));
}

TEST_CASE("translate: ICMP echo both ways", "[translate]") {
  Harness h(kConf);
  Bytes req = ipv6_packet(kClient, kServer6, 58, icmp_echo(128, 7, 1, payload(56)));
  fix_l4(req);
  auto out = h.run(req);
  REQUIRE(out.size() == 1);
  CHECK(out[0][9] == 1);
  CHECK(out[0][20] == 8);
  CHECK(l4_checksum_ok(out[0]));
  Bytes rep = ipv4_packet(kServer, kClient4, 1, icmp_echo(0, 7, 1, payload(56)));
  fix_l4(rep);
  out = h.run(rep);
  REQUIRE(out.size() == 1);
  CHECK(out[0][6] == 58);
  CHECK(out[0][40] == 129);
  CHECK(l4_checksum_ok(out[0]));
}

TEST_CASE("translate: IPv4 DF=0 packets are fragmented to offlink-mtu", "[translate][fragment]") {
  Harness h(kConf);
  h.run(udp6(kClient, kServer6, 10));  // create the lease
  Bytes big = udp4(kServer, kClient4, 2972, 64, 0);  // 3000-byte datagram, DF=0
  store16(&big[4], 0xbeef);
  store16(&big[10], 0);
  store16(&big[10], csum::finish(csum::add(big.data(), 20)));
  auto out = h.run(big);
  REQUIRE(out.size() == 3);
  Bytes joined;
  for (size_t i = 0; i < out.size(); ++i) {
    const Bytes& f = out[i];
    CHECK(f.size() <= 1280);
    CHECK(f[6] == 44);
    CHECK(f[40] == 17);
    CHECK(load32(&f[44]) == 0xbeef);
    const uint16_t off = load16(&f[42]);
    CHECK((off & 0xfff8) == i * 1232);
    CHECK((off & 1) == (i + 1 < out.size() ? 1 : 0));
    joined.insert(joined.end(), f.begin() + 48, f.end());
  }
  CHECK(joined.size() == 2980);
  // The reassembled datagram carries a valid checksum for the IPv6 pseudo-header.
  Bytes whole = ipv6_packet(kServer6, kClient, 17, joined);
  CHECK(l4_checksum_ok(whole));
  CHECK(h.counters.fragments_created.get() == 2);

  // With offlink-mtu 1500 and a TUN of 1500 the pieces grow to 1448 bytes of payload.
  Harness h2(std::string(kConf) + "offlink-mtu 1500\n");
  h2.run(udp6(kClient, kServer6, 10));
  auto out2 = h2.run(big);
  REQUIRE(out2.size() == 3);
  CHECK(out2[0].size() == 48 + 1448);
  CHECK(out2[2].size() == 48 + 84);
}

TEST_CASE("translate: fragments keep their identity both ways", "[translate][fragment]") {
  Harness h(kConf);
  h.run(udp6(kClient, kServer6, 10));
  // An IPv4 first fragment (MF=1) that fits: one IPv6 fragment, M=1, no re-split.
  Bytes f4 = udp4(kServer, kClient4, 92, 64, 0x2000);
  auto out = h.run(f4);
  REQUIRE(out.size() == 1);
  CHECK(out[0][6] == 44);
  CHECK((load16(&out[0][42]) & 1) == 1);
  // A later IPv4 fragment (offset 1480): offset copied, payload untouched.
  Bytes later = ipv4_packet(kServer, kClient4, 17, payload(64), 64, 0x0000 | (1480 / 8));
  out = h.run(later);
  REQUIRE(out.size() == 1);
  CHECK((load16(&out[0][42]) & 0xfff8) == 1480);
  CHECK(Bytes(out[0].begin() + 48, out[0].end()) == payload(64));
  // IPv6 fragment -> IPv4 fragment: low 16 bits of the ID, MF, offset, DF=0.
  Bytes f6 = with_frag_header(udp6(kClient, kServer6, 100), 0, true, 0x12345678);
  out = h.run(f6);
  REQUIRE(out.size() == 1);
  CHECK(load16(&out[0][4]) == 0x5678);
  CHECK(load16(&out[0][6]) == 0x2000);
  CHECK(out[0].size() == 20 + 108);
}

TEST_CASE("translate: DF, MTU and the 1260 rule", "[translate][mtu]") {
  Harness h(kConf, 1400);
  h.run(udp6(kClient, kServer6, 10));
  // IPv4 DF=1 that would exceed the TUN MTU as IPv6: Fragmentation Needed, MTU = TUN MTU - 20.
  auto out = h.run(udp4(kServer, kClient4, 1372));  // 1400 bytes
  REQUIRE(out.size() == 1);
  auto e = icmp4_of(out[0]);
  CHECK((e.type == 3 && e.code == 4));
  CHECK((e.rest & 0xffff) == 1380);
  CHECK(load32(&out[0][12]) == v4("192.0.2.1"));
  CHECK(h.dropped(DropReason::too_big) == 1);
  // 1380 bytes fit exactly.
  CHECK(h.run(udp4(kServer, kClient4, 1352)).at(0).size() == 1400);
  // IPv6 whose IPv4 form exceeds the TUN MTU: Packet Too Big with the IPv6 size that fits.
  out = h.run(udp6(kClient, kServer6, 1400));
  REQUIRE(out.size() == 1);
  auto e6 = icmp6_of(out[0]);
  CHECK((e6.type == 2 && e6.code == 0));
  CHECK(e6.rest == 1420);
  CHECK(l4_checksum_ok(out[0]));
  // RFC 7915 §5.1: DF=0 up to 1260 bytes of IPv4, DF=1 above.
  CHECK((load16(&h.run(udp6(kClient, kServer6, 1232)).at(0)[6]) & 0x4000) == 0);       // 1260
  CHECK((load16(&h.run(udp6(kClient, kServer6, 1233)).at(0)[6]) & 0x4000) == 0x4000);  // 1261
}

TEST_CASE("translate: TTL and hop limit expiry", "[translate]") {
  Harness h(kConf);
  h.run(udp6(kClient, kServer6, 10));
  auto out = h.run(udp6(kClient, kServer6, 10, 1));
  REQUIRE(out.size() == 1);
  auto e6 = icmp6_of(out[0]);
  CHECK((e6.type == 3 && e6.code == 0));
  CHECK(load_v6(&out[0][8]) == v6("64:ff9b::c000:201"));  // ipv6-addr derived from the prefix
  CHECK(load_v6(&out[0][24]) == kClient);
  CHECK(l4_checksum_ok(out[0]));
  out = h.run(udp4(kServer, kClient4, 10, 1));
  REQUIRE(out.size() == 1);
  auto e4 = icmp4_of(out[0]);
  CHECK((e4.type == 11 && e4.code == 0));
  CHECK(ipv4_header_ok(out[0]));
  CHECK(h.dropped(DropReason::ttl_expired) == 2);
}

TEST_CASE("translate: pings to the translator itself", "[translate]") {
  Harness h(kConf);
  Bytes req = ipv4_packet(kServer, v4("192.0.2.1"), 1, icmp_echo(8, 1, 2, payload(16)), 1);
  fix_l4(req);
  auto out = h.run(req);  // TTL 1 does not matter: it is for us
  REQUIRE(out.size() == 1);
  CHECK(out[0][20] == 0);
  CHECK(load32(&out[0][16]) == kServer);
  CHECK(l4_checksum_ok(out[0]));
  Bytes req6 = ipv6_packet(kClient, v6("64:ff9b::c000:201"), 58, icmp_echo(128, 1, 2, payload(16)));
  fix_l4(req6);
  out = h.run(req6);
  REQUIRE(out.size() == 1);
  CHECK(out[0][40] == 129);
  CHECK(l4_checksum_ok(out[0]));
  CHECK(h.counters.echo_replies.get() == 2);
  // UDP to ourselves: protocol unreachable.
  out = h.run(udp4(kServer, v4("192.0.2.1"), 10));
  REQUIRE(out.size() == 1);
  CHECK((icmp4_of(out[0]).type == 3 && icmp4_of(out[0]).code == 2));
}

TEST_CASE("translate: udp-cksum-mode", "[translate]") {
  Bytes zero = ipv4_packet(kServer, v4("203.0.113.5"), 17, udp(53, 1000, payload(20)));
  {
    Harness h(kConf);  // drop (default): silently, as Tayga
    CHECK(h.run(zero).empty());
    CHECK(h.dropped(DropReason::udp_zero_checksum) == 1);
  }
  {
    Harness h(std::string(kConf) + "udp-cksum-mode calc\n");
    auto out = h.run(zero);
    REQUIRE(out.size() == 1);
    CHECK(load16(&out[0][46]) != 0);
    CHECK(l4_checksum_ok(out[0]));
    // A first fragment cannot be summed: dropped (RFC 7915 §4.5), Tayga gets this wrong.
    Bytes frag = ipv4_packet(kServer, v4("203.0.113.5"), 17, udp(53, 1000, payload(24)), 64, 0x2000);
    CHECK(h.run(frag).empty());
    CHECK(h.dropped(DropReason::udp_zero_checksum) == 1);
  }
  {
    Harness h(std::string(kConf) + "udp-cksum-mode fwd\n");
    auto out = h.run(zero);
    REQUIRE(out.size() == 1);
    CHECK(load16(&out[0][46]) == 0);
  }
}

TEST_CASE("translate: generated ICMP errors are rate-limited", "[translate]") {
  Harness h(std::string(kConf) + "icmp-rate-limit 1 2\n");
  Bytes p = udp4(kServer, kClient4, 10);  // pool address without a lease: rejected
  size_t sent = 0;
  for (int i = 0; i < 5; ++i) {
    Bytes c = p;
    sent += h.tr.process(c.data(), c.size(), false, h.now_ms).size();  // same millisecond
  }
  CHECK(sent == 2);
  CHECK(h.counters.icmp_errors_rate_limited.get() == 3);
  CHECK(h.dropped(DropReason::pool_address_unassigned) == 5);
  Harness off(std::string(kConf) + "icmp-rate-limit 0\n");
  CHECK(off.run(p).empty());
}

TEST_CASE("translate: ICMPv4 errors carry their inner packet across", "[translate][icmp]") {
  Harness h(kConf);
  auto fwd = h.run(udp6(kClient, kServer6, 40));
  REQUIRE(fwd.size() == 1);
  // The server answers the translated datagram with port unreachable.
  Bytes err(8);
  err[0] = 3;
  err[1] = 3;
  err.insert(err.end(), fwd[0].begin(), fwd[0].end());
  Bytes e4 = ipv4_packet(kServer, kClient4, 1, err);
  fix_l4(e4);
  auto out = h.run(e4);
  REQUIRE(out.size() == 1);
  const Bytes& e6 = out[0];
  CHECK((e6[40] == 1 && e6[41] == 4));
  CHECK(l4_checksum_ok(e6));
  // Inner: IPv6 again, with the client's and server's IPv6 addresses.
  CHECK(e6[48] >> 4 == 6);
  CHECK(load_v6(&e6[48 + 8]) == kClient);
  CHECK(load_v6(&e6[48 + 24]) == kServer6);
  CHECK(e6.size() == 48 + 40 + 48);
  CHECK(h.counters.icmp_errors_translated.get() == 1);
}

TEST_CASE("translate: PMTU, Fragmentation Needed becomes Packet Too Big", "[translate][icmp][mtu]") {
  Harness h(kConf);
  auto fwd = h.run(udp6(kClient, kServer6, 1400));
  REQUIRE(fwd.size() == 1);
  Bytes err(8);
  err[0] = 3;
  err[1] = 4;
  store16(&err[6], 1400);
  err.insert(err.end(), fwd[0].begin(), fwd[0].begin() + 28 + 100);
  Bytes e4 = ipv4_packet(v4("9.9.9.9"), kClient4, 1, err);
  fix_l4(e4);
  auto out = h.run(e4);
  REQUIRE(out.size() == 1);
  CHECK((out[0][40] == 2 && load32(&out[0][44]) == 1420));
  // MTU field 0 (old routers): RFC 1191 plateau below the inner packet's length.
  store16(&err[6], 0);
  e4 = ipv4_packet(v4("9.9.9.9"), kClient4, 1, err);
  fix_l4(e4);
  out = h.run(e4);
  REQUIRE(out.size() == 1);
  CHECK(load32(&out[0][44]) == 1280);  // plateau 1006 + 20, raised to the IPv6 minimum
}

TEST_CASE("translate: RFC 4884 extensions are passed on", "[translate][icmp]") {
  Harness h(kConf);
  auto fwd = h.run(udp6(kClient, kServer6, 200));
  REQUIRE(fwd.size() == 1);
  Bytes err(8);
  err[0] = 11;
  err[5] = 128 / 4;  // original datagram: 128 bytes
  err.insert(err.end(), fwd[0].begin(), fwd[0].begin() + 128);
  const Bytes ext = {0x20, 0, 0, 0, 0, 8, 1, 1, 0xde, 0xad, 0xbe, 0xef};
  err.insert(err.end(), ext.begin(), ext.end());
  Bytes e4 = ipv4_packet(kServer, kClient4, 1, err);
  fix_l4(e4);
  auto out = h.run(e4);
  REQUIRE(out.size() == 1);
  const Bytes& e6 = out[0];
  CHECK(e6[40] == 3);
  const size_t orig6 = e6[44] * 8u;
  CHECK(orig6 == 152);  // 128 + 20, zero-padded to 64 bits
  CHECK(Bytes(e6.begin() + 48 + static_cast<long>(orig6), e6.end()) == ext);
  CHECK(l4_checksum_ok(e6));
}

TEST_CASE("translate: hairpinning between two IPv6 hosts (RFC 7757 §4)", "[translate]") {
  Harness h(kConf);
  const V6 other = v6("2001:db8:d::7");
  auto first = h.run(udp6(other, kServer6, 10));  // lease for the other host
  REQUIRE(first.size() == 1);
  const V4 other4 = load32(&first[0][12]);
  h.run(udp6(kClient, kServer6, 10));
  // The client reaches the other host through its IPv4 address under the prefix.
  V6 dst = kServer6;
  store32(&dst.b[12], other4);
  auto out = h.run(udp6(kClient, dst, 30));
  REQUIRE(out.size() == 1);
  CHECK(out[0][0] >> 4 == 6);
  CHECK(load_v6(&out[0][24]) == other);
  V6 src = kServer6;
  store32(&src.b[12], kClient4);
  CHECK(load_v6(&out[0][8]) == src);  // the client's address in RFC 6052 form
  CHECK(out[0][7] == 63);             // one hop, not two
  CHECK(l4_checksum_ok(out[0]));
  CHECK(h.counters.hairpinned.get() == 1);
}

TEST_CASE("translate: every drop reason", "[translate][drops]") {
  std::set<DropReason> seen;
  auto expect = [&](DropReason r, Harness& h, Bytes pkt, bool frame = false) {
    INFO("reason " << drop_reason_name(r));
    const uint64_t before = h.dropped(r);
    if (frame) {
      struct Discard : FrameSink {
        void send(std::span<const OutPacket>) override {}
      } discard;
      FrameTranslator(h.tr, false).handle(pkt.data(), pkt.size(), 4 + 65536, h.now_ms, discard);
    } else {
      h.run(pkt);
    }
    CHECK(h.dropped(r) == before + 1);
    seen.insert(r);
  };
  Harness h(kConf);
  h.run(udp6(kClient, kServer6, 10));
  Harness strict("tun-device t\nipv4-addr 192.0.2.1\nprefix 64:ff9b::/96\nipv6-addr 2001:db8::1\n");
  Harness nopool("tun-device t\nipv4-addr 192.0.2.1\nprefix 2001:db8:64::/96\n");
  Harness tiny("tun-device t\nipv4-addr 192.0.2.1\nprefix 2001:db8:64::/96\ndynamic-pool 10.0.0.0/31\n");

  expect(DropReason::truncated, h, Bytes{0x45, 0, 0});
  Bytes v6_in_v4 = udp6(kClient, kServer6, 10);
  expect(DropReason::bad_version, h, [&] {
    Bytes f = {0, 0, 0x08, 0x00};
    f.insert(f.end(), v6_in_v4.begin(), v6_in_v4.end());
    return f;
  }(), true);
  Bytes badck = udp4(kServer, kClient4, 10);
  badck[10] ^= 0xff;
  expect(DropReason::bad_ipv4_checksum, h, badck);
  expect(DropReason::invalid_source, h, udp4(v4("127.0.0.1"), kClient4, 10));
  expect(DropReason::invalid_destination, h, udp4(kServer, v4("224.0.0.5"), 10));
  expect(DropReason::ttl_zero, h, udp4(kServer, kClient4, 10, 0));
  expect(DropReason::ttl_expired, h, udp6(kClient, kServer6, 10, 1));
  expect(DropReason::unknown_protocol_family, h, Bytes{0, 0, 0x08, 0x06, 1, 2, 3}, true);
  expect(DropReason::oversized, h, Bytes(4 + 65536), true);
  Bytes fragping = ipv4_packet(kServer, kClient4, 1, icmp_echo(8, 1, 1, payload(16)), 64, 0x2000);
  expect(DropReason::fragmented_icmp, h, fragping);
  Bytes badicmp(8);
  badicmp[0] = 3;
  badicmp[1] = 3;
  Bytes inner = udp4(kClient4, kServer, 10);
  badicmp.insert(badicmp.end(), inner.begin(), inner.end());
  expect(DropReason::bad_icmp_checksum, h, ipv4_packet(kServer, kClient4, 1, badicmp));
  Bytes ts = ipv4_packet(kServer, kClient4, 1, icmp_echo(13, 1, 1, payload(12)));
  fix_l4(ts);
  expect(DropReason::icmp_untranslatable, h, ts);
  const Bytes garbage = {3, 1, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
  Bytes gp = ipv4_packet(kServer, kClient4, 1, garbage);
  fix_l4(gp);
  expect(DropReason::icmp_inner_invalid, h, gp);
  expect(DropReason::protocol_not_allowed, h, ipv4_packet(kServer, kClient4, 58, payload(8)));
  Bytes eh = with_frag_header(udp6(kClient, kServer6, 16), 0, false, 1);
  eh[40] = 60;  // the fragment header is followed by destination options
  expect(DropReason::ext_header_after_fragment, h, eh);
  Bytes rh = udp6(kClient, kServer6, 16);
  Bytes rt = {17, 0, 0, 1, 0, 0, 0, 0};  // routing header, segments left 1
  rh.insert(rh.begin() + 40, rt.begin(), rt.end());
  rh[6] = 43;
  store16(&rh[4], static_cast<uint16_t>(load16(&rh[4]) + 8));
  expect(DropReason::routing_header, h, rh);
  {  // IHL 7 with an unexpired LSRR option
    Bytes b = udp4(kServer, kClient4, 10);
    Bytes opt = {131, 7, 4, 1, 2, 3, 4, 0};
    b.insert(b.begin() + 20, opt.begin(), opt.end());
    b[0] = 0x47;
    store16(&b[2], static_cast<uint16_t>(b.size()));
    store16(&b[10], 0);
    store16(&b[10], csum::finish(csum::add(b.data(), 28)));
    expect(DropReason::source_route, h, b);
  }
  // A fragment reaching past 65535 bytes.
  expect(DropReason::bad_fragment, h, ipv4_packet(kServer, kClient4, 17, payload(100), 64, 8180));
  expect(DropReason::no_destination_mapping, h, udp6(kClient, v6("2001:db8:ffff::1"), 10));
  expect(DropReason::no_source_mapping, nopool, udp6(v6("2001:db8:c::9"), v6("2001:db8:64::808:808"), 10));
  expect(DropReason::wkpf_non_global, strict, udp4(v4("10.1.1.1"), v4("8.8.4.4"), 10));
  expect(DropReason::pool_address_unassigned, h, udp4(kServer, v4("198.51.100.9"), 10));
  tiny.run(udp6(v6("2001:db8:c::1"), v6("2001:db8:64::808:808"), 10));
  expect(DropReason::pool_exhausted, tiny, udp6(v6("2001:db8:c::2"), v6("2001:db8:64::808:808"), 10));
  expect(DropReason::udp_zero_checksum, h, ipv4_packet(kServer, kClient4, 17, udp(1, 2, payload(4))));
  Harness small(kConf, 1280);
  small.run(udp6(kClient, kServer6, 10));
  expect(DropReason::too_big, small, udp4(kServer, kClient4, 1300));
  Bytes selfts = ipv4_packet(kServer, v4("192.0.2.1"), 1, icmp_echo(13, 1, 1, payload(12)));
  fix_l4(selfts);
  expect(DropReason::to_self_unsupported, h, selfts);
  {  // A partial checksum whose field lies beyond the packet.
    Bytes b = udp6(kClient, kServer6, 10);
    VnetHdr v;
    v.flags = vnet::needs_csum;
    v.csum_start = 40;
    v.csum_offset = 100;
    const uint64_t before = h.dropped(DropReason::bad_offload);
    h.tr.process(b.data(), b.size(), true, h.now_ms, v);
    CHECK(h.dropped(DropReason::bad_offload) == before + 1);
    seen.insert(DropReason::bad_offload);
  }

  for (size_t i = 0; i < static_cast<size_t>(DropReason::count); ++i) {
    INFO("no test for drop reason " << drop_reason_name(static_cast<DropReason>(i)));
    CHECK(seen.contains(static_cast<DropReason>(i)));
  }
}

TEST_CASE("translate: no output for the same input twice changes state", "[translate]") {
  // The translator is deterministic apart from the IPv4 ID of unfragmented 6->4 packets.
  Harness h(kConf);
  auto a = h.run(udp6(kClient, kServer6, 10));
  auto b = h.run(udp6(kClient, kServer6, 10));
  REQUIRE((a.size() == 1 && b.size() == 1));
  a[0][4] = b[0][4];
  a[0][5] = b[0][5];
  a[0][10] = b[0][10];
  a[0][11] = b[0][11];
  CHECK(a[0] == b[0]);
}
