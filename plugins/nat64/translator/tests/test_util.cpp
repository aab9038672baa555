#include "test_util.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <fmt/format.h>

#include "nat64/checksum.h"
#include "nat64/packet_view.h"

namespace nat64::test {

Bytes read_binary(const std::string& path) {
  std::string s;
  if (!read_file(path, s)) FAIL("cannot read " << path);
  return Bytes(s.begin(), s.end());
}

std::string hex(const Bytes& b) {
  std::string o;
  for (size_t i = 0; i < b.size(); ++i) o += fmt::format("{:02x}{}", b[i], (i % 16 == 15) ? "\n" : " ");
  return o;
}

Bytes flatten(const OutPacket& p) {
  Bytes b(p.head, p.head + p.head_len);
  if (p.body_len) b.insert(b.end(), p.body, p.body + p.body_len);
  return b;
}

std::vector<Bytes> flatten(std::span<const OutPacket> out) {
  std::vector<Bytes> r;
  for (const auto& p : out) r.push_back(flatten(p));
  return r;
}

Config config_from(const std::string& text) {
  auto r = parse_config(text, "test.conf");
  if (!r.ok()) FAIL("config error: " << r.errors.front());
  return r.config;
}

V4 v4(const char* s) { return *parse_v4(s); }
V6 v6(const char* s) { return *parse_v6(s); }

Bytes ipv4_packet(V4 src, V4 dst, uint8_t proto, const Bytes& l4, uint8_t ttl, uint16_t flags, uint16_t id) {
  Bytes b(20);
  b[0] = 0x45;
  store16(&b[2], static_cast<uint16_t>(20 + l4.size()));
  store16(&b[4], id);
  store16(&b[6], flags);
  b[8] = ttl;
  b[9] = proto;
  store32(&b[12], src);
  store32(&b[16], dst);
  store16(&b[10], csum::finish(csum::add(b.data(), 20)));
  b.insert(b.end(), l4.begin(), l4.end());
  return b;
}

Bytes ipv6_packet(const V6& src, const V6& dst, uint8_t next, const Bytes& l4, uint8_t hop) {
  Bytes b(40);
  b[0] = 0x60;
  store16(&b[4], static_cast<uint16_t>(l4.size()));
  b[6] = next;
  b[7] = hop;
  store_v6(&b[8], src);
  store_v6(&b[24], dst);
  b.insert(b.end(), l4.begin(), l4.end());
  return b;
}

Bytes udp(uint16_t sport, uint16_t dport, const Bytes& data) {
  Bytes b(8);
  store16(&b[0], sport);
  store16(&b[2], dport);
  store16(&b[4], static_cast<uint16_t>(8 + data.size()));
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

Bytes tcp_syn(uint16_t sport, uint16_t dport) {
  Bytes b(20);
  store16(&b[0], sport);
  store16(&b[2], dport);
  store32(&b[4], 1000);
  b[12] = 0x50;
  b[13] = 0x02;
  store16(&b[14], 65535);
  return b;
}

Bytes icmp_echo(uint8_t type, uint16_t id, uint16_t seq, const Bytes& data) {
  Bytes b(8);
  b[0] = type;
  store16(&b[4], id);
  store16(&b[6], seq);
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

namespace {
// Offset of the checksum field and the pseudo-header sum of the packet's transport.
bool l4_info(Bytes& pkt, uint32_t& l4off, uint32_t& ckoff, uint32_t& pseudo) {
  DropReason why;
  if ((pkt[0] >> 4) == 4) {
    V4View v;
    if (!parse_v4(pkt.data(), pkt.size(), false, v, why)) return false;
    l4off = v.hlen;
    const uint32_t len = v.l4_total();
    if (v.proto == proto::tcp) ckoff = 16, pseudo = csum::pseudo4(v.src, v.dst, 6, len);
    else if (v.proto == proto::udp) ckoff = 6, pseudo = csum::pseudo4(v.src, v.dst, 17, len);
    else if (v.proto == proto::icmp) ckoff = 2, pseudo = 0;
    else return false;
  } else {
    V6View v;
    if (!parse_v6(pkt.data(), pkt.size(), false, v, why)) return false;
    l4off = v.l4_off;
    const uint32_t len = v.l4_total();
    if (v.proto == proto::tcp) ckoff = 16;
    else if (v.proto == proto::udp) ckoff = 6;
    else if (v.proto == proto::icmpv6) ckoff = 2;
    else return false;
    pseudo = csum::pseudo6(v.src, v.dst, v.proto, len);
  }
  return true;
}
}  // namespace

void fix_l4(Bytes& pkt) {
  uint32_t off, ck, ps;
  REQUIRE(l4_info(pkt, off, ck, ps));
  store16(&pkt[off + ck], 0);
  uint16_t v = csum::finish(csum::add(&pkt[off], pkt.size() - off, ps));
  store16(&pkt[off + ck], v ? v : 0xffff);
}

bool l4_checksum_ok(const Bytes& in) {
  Bytes pkt = in;
  uint32_t off, ck, ps;
  if (!l4_info(pkt, off, ck, ps)) return false;
  return csum::fold(csum::add(&pkt[off], pkt.size() - off, ps)) == 0xffff;
}

Harness::Harness(const std::string& conf_text, uint32_t tun_mtu)
    : cfg(config_from(conf_text)), map(cfg), tr(map, counters, TranslatorSettings::from(cfg, tun_mtu)) {}

std::vector<Bytes> Harness::run(Bytes pkt) {
  now_ms += 1000;
  Bytes copy = pkt;
  return flatten(tr.process(copy.data(), copy.size(), (pkt[0] >> 4) == 6, now_ms));
}

}  // namespace nat64::test
