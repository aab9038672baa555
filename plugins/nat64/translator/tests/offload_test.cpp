// The offloaded paths of the translator: partial checksums (virtio NEEDS_CSUM), GSO
// super-packets translated whole, software segmentation for the cases that need per-packet
// work, PMTU with GSO, the TUN frame layer, and the TCP MSS clamp.
#include <catch2/catch.hpp>

#include "nat64/checksum.h"
#include "nat64/frame_translator.h"
#include "nat64/gso_segment.h"
#include "nat64/packet_view.h"
#include "test_util.h"

using namespace nat64;
using namespace nat64::test;

namespace {

constexpr uint8_t kSyn = 0x02, kAck = 0x10, kPsh = 0x08, kFin = 0x01, kCwr = 0x80;

Bytes payload(size_t n) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 7 + 3);
  return b;
}

// A datagram from the client, to give it its pool address.
Bytes udp6(const V6& s, const V6& d, size_t n) {
  Bytes p = ipv6_packet(s, d, 17, udp(1000, 53, payload(n)));
  fix_l4(p);
  return p;
}

Bytes tcp_segment(uint32_t seq, uint8_t flags, const Bytes& data, const Bytes& options = {}) {
  Bytes b(20);
  store16(&b[0], 5201);
  store16(&b[2], 40000);
  store32(&b[4], seq);
  store32(&b[8], 77);
  b[12] = static_cast<uint8_t>((20 + options.size()) / 4 << 4);
  b[13] = flags;
  store16(&b[14], 65535);
  b.insert(b.end(), options.begin(), options.end());
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

struct L4 {
  uint32_t off = 0, field = 0, pseudo = 0;
  uint8_t proto = 0;
};

L4 l4_of(Bytes& p) {
  L4 r;
  DropReason why;
  if ((p[0] >> 4) == 4) {
    V4View v;
    REQUIRE(parse_v4(p.data(), p.size(), false, v, why));
    r.off = v.hlen, r.proto = v.proto;
    r.pseudo = csum::pseudo4(v.src, v.dst, v.proto, v.l4_total());
  } else {
    V6View v;
    REQUIRE(parse_v6(p.data(), p.size(), false, v, why));
    r.off = v.l4_off, r.proto = v.proto;
    r.pseudo = csum::pseudo6(v.src, v.dst, v.proto, v.l4_total());
  }
  r.field = r.off + (r.proto == 6 ? 16 : r.proto == 17 ? 6 : 2);
  return r;
}

// The kernel's form of an outgoing packet: the checksum field holds the pseudo-header sum.
VnetHdr make_partial(Bytes& p) {
  const L4 l = l4_of(p);
  store16(&p[l.field], csum::fold(l.pseudo));
  VnetHdr v;
  v.flags = vnet::needs_csum;
  v.csum_start = static_cast<uint16_t>(l.off);
  v.csum_offset = static_cast<uint16_t>(l.field - l.off);
  return v;
}

// What the device does with a partial checksum.
void complete(Bytes& p, const VnetHdr& v) {
  REQUIRE(v.partial_csum());
  const uint16_t ck = csum::finish(csum::add(&p[v.csum_start], p.size() - v.csum_start));
  store16(&p[v.csum_start + v.csum_offset], ck);
}

// A GSO super-packet of `segments` full segments of `mss` bytes plus `tail` bytes.
Bytes super_packet(bool ipv6, uint8_t proto, uint32_t mss, uint32_t segments, uint32_t tail, VnetHdr& v,
                   uint8_t tcp_flags = kAck | kPsh, uint16_t df = 0x4000) {
  const Bytes data = payload(mss * segments + tail);
  Bytes l4 = proto == 6 ? tcp_segment(1000, tcp_flags, data) : udp(5201, 40000, data);
  Bytes p = ipv6 ? ipv6_packet(kClient, kServer6, proto, l4) : ipv4_packet(kServer, kClient4, proto, l4, 64, df);
  v = make_partial(p);
  v.gso_size = static_cast<uint16_t>(mss);
  v.gso_type = proto == 17 ? vnet::gso_udp_l4 : ipv6 ? vnet::gso_tcpv6 : vnet::gso_tcpv4;
  v.hdr_len = static_cast<uint16_t>(v.csum_start + (proto == 6 ? 20 : 8));
  return p;
}

struct Collect : SegmentSink {
  std::vector<Bytes> pkts;
  void segment(uint8_t* p, size_t n) override { pkts.emplace_back(p, p + n); }
};

std::vector<Bytes> cut(Bytes p, bool ipv6, const VnetHdr& v) {
  Collect c;
  std::vector<uint8_t> buf(70000);
  REQUIRE(gso_segment(p.data(), p.size(), ipv6, v, buf.data(), buf.size(), c));
  return c.pkts;
}

// IPv4 IDs differ between the two ways of getting there, and so does DF on a last segment of
// 1260 bytes or less (a super-packet has one DF bit, set by its segment size); nothing else may.
Bytes without_ipv4_id(Bytes p) {
  if ((p[0] >> 4) == 4) p[4] = p[5] = p[6] = p[10] = p[11] = 0;
  return p;
}

struct Frames : FrameSink {
  std::vector<Bytes> pkts;
  std::vector<VnetHdr> vnets;
  void send(std::span<const OutPacket> out) override {
    for (const auto& o : out) {
      pkts.push_back(flatten(o));
      vnets.push_back(o.vnet);
    }
  }
};

// A TUN frame: packet information, virtio-net header, packet.
Bytes frame(const Bytes& p, const VnetHdr& v) {
  Bytes f(4 + vnet::kSize);
  store16(&f[2], (p[0] >> 4) == 6 ? 0x86dd : 0x0800);
  store_vnet(&f[4], v, true);
  f.insert(f.end(), p.begin(), p.end());
  return f;
}

}  // namespace

TEST_CASE("offload: partial TCP and UDP checksums stay partial, rebased on the new pseudo-header",
          "[offload]") {
  Harness h(kConf);
  for (uint8_t proto : {uint8_t(6), uint8_t(17)}) {
    INFO("proto " << int(proto));
    const Bytes l4 = proto == 6 ? tcp_segment(5, kAck, payload(300)) : udp(5201, 40000, payload(300));
    Bytes p6 = ipv6_packet(kClient, kServer6, proto, l4);
    VnetHdr v = make_partial(p6);
    auto out = h.tr.process(p6.data(), p6.size(), true, h.now_ms, v);
    REQUIRE(out.size() == 1);
    CHECK(out[0].vnet.flags == vnet::needs_csum);
    CHECK(out[0].vnet.csum_start == 20);
    CHECK(out[0].vnet.csum_offset == (proto == 6 ? 16 : 6));
    CHECK(out[0].vnet.hdr_len == 20 + (proto == 6 ? 20 : 8));
    CHECK_FALSE(out[0].vnet.gso());
    Bytes got = flatten(out[0]);
    complete(got, out[0].vnet);
    CHECK(l4_checksum_ok(got));

    Bytes p4 = ipv4_packet(kServer, kClient4, proto, l4);
    v = make_partial(p4);
    out = h.tr.process(p4.data(), p4.size(), false, h.now_ms, v);
    REQUIRE(out.size() == 1);
    CHECK(out[0].vnet.csum_start == 40);
    got = flatten(out[0]);
    complete(got, out[0].vnet);
    CHECK(l4_checksum_ok(got));
  }
  CHECK(h.counters.checksums_completed.get() == 0);
}

TEST_CASE("offload: other partial checksums are completed before translation", "[offload]") {
  Harness h(kConf);
  // ICMPv6 echo with a partial checksum (the ICMPv4 checksum has no pseudo-header).
  Bytes req = ipv6_packet(kClient, kServer6, 58, icmp_echo(128, 7, 1, payload(56)));
  VnetHdr v = make_partial(req);
  auto out = h.tr.process(req.data(), req.size(), true, h.now_ms, v);
  REQUIRE(out.size() == 1);
  CHECK(out[0].vnet.flags == 0);
  CHECK(l4_checksum_ok(flatten(out[0])));
  CHECK(h.counters.checksums_completed.get() == 1);
  // A DF=0 IPv4 datagram that becomes IPv6 fragments: fragments cannot carry a partial checksum.
  Bytes big = ipv4_packet(kServer, kClient4, 17, udp(53, 1000, payload(2000)), 64, 0);
  v = make_partial(big);
  out = h.tr.process(big.data(), big.size(), false, h.now_ms, v);
  REQUIRE(out.size() == 2);
  Bytes whole = ipv6_packet(kServer6, kClient, 17, {});
  for (const auto& o : out) {
    CHECK(o.vnet.flags == 0);
    Bytes f = flatten(o);
    whole.insert(whole.end(), f.begin() + 48, f.end());
  }
  store16(&whole[4], static_cast<uint16_t>(whole.size() - 40));
  CHECK(l4_checksum_ok(whole));
  CHECK(h.counters.checksums_completed.get() == 2);
}

TEST_CASE("offload: an IPv6 partial checksum after extension headers", "[offload]") {
  Harness h(kConf);
  Bytes p = ipv6_packet(kClient, kServer6, 6, tcp_segment(1, kAck, payload(100)));
  const Bytes dest_opts = {6, 0, 1, 4, 0, 0, 0, 0};  // next header TCP, PadN
  p.insert(p.begin() + 40, dest_opts.begin(), dest_opts.end());
  p[6] = 60;
  store16(&p[4], static_cast<uint16_t>(p.size() - 40));
  VnetHdr v = make_partial(p);
  CHECK(v.csum_start == 48);
  auto out = h.tr.process(p.data(), p.size(), true, h.now_ms, v);
  REQUIRE(out.size() == 1);
  CHECK(out[0].vnet.csum_start == 20);
  Bytes got = flatten(out[0]);
  complete(got, out[0].vnet);
  CHECK(l4_checksum_ok(got));
}

TEST_CASE("offload: GSO super-packets are translated whole, as if segment by segment", "[offload][gso]") {
  struct Case {
    bool ipv6;
    uint8_t proto;
    uint32_t mss, segments, tail;
  };
  const Case cases[] = {{true, 6, 1400, 30, 500}, {true, 6, 1000, 5, 0},   {false, 6, 1440, 40, 17},
                        {false, 6, 536, 3, 1},    {true, 17, 1200, 10, 9}, {false, 17, 1400, 20, 100}};
  for (const Case& c : cases) {
    INFO("ipv6 " << c.ipv6 << " proto " << int(c.proto) << " mss " << c.mss);
    Harness h(kConf);
    h.run(udp6(kClient, kServer6, 1));
    VnetHdr v;
    const Bytes in = super_packet(c.ipv6, c.proto, c.mss, c.segments, c.tail, v);
    // The reference: the segments the kernel would have sent, translated one by one.
    std::vector<Bytes> want;
    for (Bytes s : cut(in, c.ipv6, v))
      for (auto& o : h.tr.process(s.data(), s.size(), c.ipv6, h.now_ms)) want.push_back(without_ipv4_id(flatten(o)));
    Bytes copy = in;
    auto out = h.tr.process(copy.data(), copy.size(), c.ipv6, h.now_ms, v);
    REQUIRE_FALSE(h.tr.needs_segmentation());
    REQUIRE(out.size() == 1);
    const VnetHdr& o = out[0].vnet;
    CHECK(o.flags == vnet::needs_csum);
    CHECK(o.gso_size == c.mss);
    const uint32_t l3 = c.ipv6 ? 20 : 40;
    CHECK(o.csum_start == l3);
    CHECK(o.hdr_len == l3 + (c.proto == 6 ? 20 : 8));
    CHECK(o.gso_type == (c.proto == 17 ? vnet::gso_udp_l4 : c.ipv6 ? vnet::gso_tcpv4 : vnet::gso_tcpv6));
    // The seed is the new pseudo-header sum over the whole super-packet.
    Bytes whole = flatten(out[0]);
    const L4 l = l4_of(whole);
    CHECK(load16(&whole[l.field]) == csum::fold(l.pseudo));
    // Cut as the kernel will: the same packets as the reference.
    std::vector<Bytes> got;
    for (const Bytes& s : cut(whole, !c.ipv6, o)) got.push_back(without_ipv4_id(s));
    CHECK(got == want);
    if (c.ipv6) CHECK(((load16(&whole[6]) & 0x4000) != 0) == (c.mss + (c.proto == 6 ? 40 : 28) > 1260));
    CHECK(h.counters.gso_4to6.get() + h.counters.gso_6to4.get() == 1);
    CHECK(h.counters.gso_segments_4to6.get() + h.counters.gso_segments_6to4.get() ==
          c.segments + (c.tail ? 1 : 0));
  }
}

TEST_CASE("offload: the ECN flag of a TSO packet is kept", "[offload][gso]") {
  Harness h(kConf);
  h.run(udp6(kClient, kServer6, 1));
  VnetHdr v;
  Bytes in = super_packet(false, 6, 1400, 4, 0, v, kAck | kCwr);
  v.gso_type |= vnet::gso_ecn;
  auto out = h.tr.process(in.data(), in.size(), false, h.now_ms, v);
  REQUIRE(out.size() == 1);
  CHECK(out[0].vnet.gso_type == (vnet::gso_tcpv6 | vnet::gso_ecn));
}

TEST_CASE("offload: IPv4 GSO segments too big for the MTU get one Fragmentation Needed", "[offload][gso][pmtu]") {
  Harness h(kConf, 1500);
  h.run(udp6(kClient, kServer6, 1));
  VnetHdr v;
  // 1460-byte segments: 1500 bytes of IPv4, 1520 of IPv6.
  Bytes in = super_packet(false, 6, 1460, 20, 0, v);
  auto out = h.tr.process(in.data(), in.size(), false, h.now_ms, v);
  REQUIRE_FALSE(h.tr.needs_segmentation());
  REQUIRE(out.size() == 1);
  const Bytes err = flatten(out[0]);
  CHECK(err[9] == 1);
  CHECK(err[20] == 3);
  CHECK(err[21] == 4);
  CHECK(load16(&err[26]) == 1480);
  CHECK(load32(&err[16]) == kServer);
  // The quoted header is the first segment's, as the sender sent it.
  CHECK(load16(&err[28 + 2]) == 1500);
  CHECK(csum::fold(csum::add(&err[28], 20)) == 0xffff);
  CHECK(h.dropped(DropReason::too_big) == 1);
}

TEST_CASE("offload: GSO packets that need per-packet work are segmented and translated one by one",
          "[offload][gso]") {
  Harness h(kConf);
  h.run(udp6(kClient, kServer6, 1));
  FrameTranslator ft(h.tr, true);
  auto run = [&](const Bytes& p, const VnetHdr& v) {
    Frames f;
    Bytes fr = frame(p, v);
    ft.handle(fr.data(), fr.size(), fr.size() + 1, h.now_ms, f);
    return f;
  };
  SECTION("DF=0: each segment becomes IPv6 fragments fitting offlink-mtu") {
    VnetHdr v;
    Bytes in = super_packet(false, 17, 1400, 3, 0, v, 0, 0);
    Frames f = run(in, v);
    CHECK(h.counters.gso_segmented.get() == 1);
    CHECK(f.pkts.size() == 6);
    for (size_t i = 0; i < f.pkts.size(); ++i) {
      CHECK(f.pkts[i][6] == 44);
      CHECK(f.pkts[i].size() <= 1280);
      CHECK(f.vnets[i].flags == 0);
    }
  }
  SECTION("TTL 1: Time Exceeded for the segments, within the rate limit") {
    VnetHdr v;
    Bytes in = super_packet(false, 6, 1000, 5, 0, v);
    in[8] = 1;
    store16(&in[10], 0);
    store16(&in[10], csum::finish(csum::add(in.data(), 20)));
    Frames f = run(in, v);
    CHECK(h.counters.gso_segmented.get() == 1);
    CHECK(f.pkts.size() == 5);
    CHECK(h.dropped(DropReason::ttl_expired) == 5);
    for (const auto& p : f.pkts) CHECK(p[20] == 11);
  }
  SECTION("without a partial checksum") {
    VnetHdr v;
    Bytes in = super_packet(true, 6, 1200, 4, 10, v);
    v.flags = 0;
    const L4 l = l4_of(in);
    store16(&in[l.field], 0);
    store16(&in[l.field], csum::finish(csum::add(&in[l.off], in.size() - l.off, l.pseudo)));
    Frames f = run(in, v);
    CHECK(h.counters.gso_segmented.get() == 1);
    REQUIRE(f.pkts.size() == 5);
    for (const auto& p : f.pkts) CHECK(l4_checksum_ok(p));
  }
  SECTION("to an unmapped destination: one ICMP error per segment") {
    VnetHdr v;
    Bytes in = super_packet(true, 6, 1200, 3, 0, v);
    store_v6(&in[24], v6("2001:db8:ffff::1"));
    v = make_partial(in);
    v.gso_type = vnet::gso_tcpv6;
    v.gso_size = 1200;
    Frames f = run(in, v);
    CHECK(f.pkts.size() == 3);
    CHECK(h.dropped(DropReason::no_destination_mapping) == 3);
  }
  SECTION("a GSO type that does not match the packet is cut by its protocol") {
    VnetHdr v;
    Bytes in = super_packet(true, 6, 1200, 3, 0, v);
    v.gso_type = vnet::gso_tcpv4;
    Frames f = run(in, v);
    CHECK(f.pkts.size() == 3);
    CHECK(h.counters.gso_segmented.get() == 1);
  }
  SECTION("a GSO packet that cannot be cut is dropped") {
    VnetHdr v;
    Bytes in = super_packet(true, 6, 1200, 3, 0, v);
    v.gso_size = 0;
    Frames f = run(in, v);
    CHECK(f.pkts.empty());
    CHECK(h.dropped(DropReason::bad_offload) == 1);
  }
}

TEST_CASE("offload: software segmentation cuts as the kernel does", "[offload][gso]") {
  VnetHdr v;
  Bytes in = super_packet(false, 6, 1000, 3, 200, v, kAck | kPsh | kFin | kCwr);
  store16(&in[4], 0xfffe);
  store16(&in[10], 0);
  store16(&in[10], csum::finish(csum::add(in.data(), 20)));
  auto segs = cut(in, false, v);
  REQUIRE(segs.size() == 4);
  for (size_t i = 0; i < segs.size(); ++i) {
    const Bytes& s = segs[i];
    const bool last = i == 3;
    CHECK(load16(&s[2]) == 40 + (last ? 200 : 1000));
    CHECK(load16(&s[4]) == static_cast<uint16_t>(0xfffe + i));
    CHECK(csum::fold(csum::add(s.data(), 20)) == 0xffff);
    CHECK(load32(&s[24]) == 1000 + 1000 * i);
    CHECK(((s[33] & kFin) != 0) == last);
    CHECK(((s[33] & kPsh) != 0) == last);
    CHECK(((s[33] & kCwr) != 0) == (i == 0));
    CHECK(l4_checksum_ok(s));
  }
  Bytes u = super_packet(true, 17, 500, 2, 0, v);
  auto us = cut(u, true, v);
  REQUIRE(us.size() == 2);
  for (const auto& s : us) {
    CHECK(load16(&s[44]) == 508);
    CHECK(l4_checksum_ok(s));
  }
}

TEST_CASE("offload: frames carry the virtio-net header; reads over the MTU are counted", "[offload]") {
  Harness h(kConf);
  h.run(udp6(kClient, kServer6, 1));
  FrameTranslator ft(h.tr, true);
  CHECK(ft.header_size() == 14);
  VnetHdr v;
  Bytes in = super_packet(true, 6, 1400, 10, 0, v);
  Bytes fr = frame(in, v);
  Frames f;
  ft.handle(fr.data(), fr.size(), fr.size() + 1, h.now_ms, f);
  REQUIRE(f.pkts.size() == 1);
  CHECK(h.counters.reads_over_mtu.get() == 1);
  OutPacket o;
  o.ipv6 = false;
  o.vnet = f.vnets[0];
  uint8_t hdr[14];
  ft.frame_header(o, hdr);
  CHECK(load16(hdr + 2) == 0x0800);
  CHECK(hdr[4] == vnet::needs_csum);
  CHECK(hdr[5] == vnet::gso_tcpv4);
  CHECK((hdr[8] | hdr[9] << 8) == 1400);  // gso_size, little-endian
  CHECK(load_vnet(hdr + 4, true).csum_start == 20);
  // Without offloads a frame is the packet-information header and the packet (Tayga's framing).
  FrameTranslator plain(h.tr, false);
  CHECK(plain.header_size() == 4);
}

TEST_CASE("tcp-mss-clamp: SYNs both ways, checksums updated", "[offload][mss]") {
  Harness h(std::string(kConf) + "tcp-mss-clamp 1400\n");
  h.run(udp6(kClient, kServer6, 1));
  const Bytes mss1460 = {2, 4, 0x05, 0xb4};
  auto mss_of = [](const Bytes& p) {
    const size_t l4 = (p[0] >> 4) == 4 ? 20 : 40;
    for (size_t i = l4 + 20; i + 4 <= l4 + (p[l4 + 12] >> 4) * 4u; ++i)
      if (p[i] == 2 && p[i + 1] == 4) return load16(&p[i + 2]);
    return uint16_t(0);
  };
  // IPv6 -> IPv4 SYN.
  Bytes syn = ipv6_packet(kClient, kServer6, 6, tcp_segment(1, kSyn, {}, mss1460));
  fix_l4(syn);
  auto out = h.run(syn);
  REQUIRE(out.size() == 1);
  CHECK(mss_of(out[0]) == 1400);
  CHECK(l4_checksum_ok(out[0]));
  // IPv4 -> IPv6 SYN-ACK, the option at an odd offset (after one NOP).
  const Bytes odd = {1, 2, 4, 0x05, 0xb4, 1, 1, 1};
  Bytes synack = ipv4_packet(kServer, kClient4, 6, tcp_segment(1, kSyn | kAck, {}, odd));
  fix_l4(synack);
  out = h.run(synack);
  REQUIRE(out.size() == 1);
  CHECK(mss_of(out[0]) == 1400);
  CHECK(l4_checksum_ok(out[0]));
  // Smaller MSS and non-SYN segments are left alone.
  const Bytes mss1200 = {2, 4, 0x04, 0xb0};
  Bytes small = ipv6_packet(kClient, kServer6, 6, tcp_segment(1, kSyn, {}, mss1200));
  fix_l4(small);
  CHECK(mss_of(h.run(small)[0]) == 1200);
  Bytes ack = ipv6_packet(kClient, kServer6, 6, tcp_segment(1, kAck, {}, mss1460));
  fix_l4(ack);
  CHECK(mss_of(h.run(ack)[0]) == 1460);
  CHECK(h.counters.mss_clamped.get() == 2);
  // A partial checksum covers no TCP bytes yet: only the option changes.
  Bytes psyn = ipv6_packet(kClient, kServer6, 6, tcp_segment(1, kSyn, {}, mss1460));
  VnetHdr v = make_partial(psyn);
  auto pout = h.tr.process(psyn.data(), psyn.size(), true, h.now_ms, v);
  REQUIRE(pout.size() == 1);
  Bytes got = flatten(pout[0]);
  CHECK(mss_of(got) == 1400);
  complete(got, pout[0].vnet);
  CHECK(l4_checksum_ok(got));
}

TEST_CASE("tcp-mss-clamp auto follows the TUN MTU", "[offload][mss]") {
  Harness h(std::string(kConf) + "tcp-mss-clamp auto\n", 1400);
  h.tr.settings().set_tun_mtu(1400);
  CHECK(h.tr.settings().mss_clamp == 1340);
  h.tr.settings().set_tun_mtu(1500);
  CHECK(h.tr.settings().mss_clamp == 1440);
  Harness off(kConf);
  CHECK(off.tr.settings().mss_clamp == 0);
}

TEST_CASE("offload: hairpinned packets keep their partial checksum", "[offload]") {
  Harness h(kConf);
  h.run(udp6(kClient, kServer6, 1));
  const V6 other = v6("2001:db8:5::5");  // static map 203.0.113.5
  V6 dst = kServer6;
  store32(&dst.b[12], v4("203.0.113.5"));
  Bytes p = ipv6_packet(kClient, dst, 6, tcp_segment(1, kAck, payload(200)));
  VnetHdr v = make_partial(p);
  auto out = h.tr.process(p.data(), p.size(), true, h.now_ms, v);
  REQUIRE(out.size() == 1);
  CHECK(out[0].ipv6);
  CHECK(out[0].vnet.csum_start == 40);
  Bytes got = flatten(out[0]);
  CHECK(load_v6(&got[24]) == other);
  complete(got, out[0].vnet);
  CHECK(l4_checksum_ok(got));
}
