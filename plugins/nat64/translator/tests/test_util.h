// Helpers shared by the translator's tests: building packets, flattening translator output.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "nat64/config.h"
#include "nat64/ip.h"
#include "nat64/translator.h"

namespace nat64::test {

using Bytes = std::vector<uint8_t>;

Bytes read_binary(const std::string& path);
std::string hex(const Bytes& b);
Bytes flatten(const OutPacket& p);
std::vector<Bytes> flatten(std::span<const OutPacket> out);

Config config_from(const std::string& text);

// Minimal packet builders (valid checksums).
Bytes ipv4_packet(V4 src, V4 dst, uint8_t proto, const Bytes& l4, uint8_t ttl = 64, uint16_t flags = 0x4000,
                  uint16_t id = 0x1234);
Bytes ipv6_packet(const V6& src, const V6& dst, uint8_t next, const Bytes& l4, uint8_t hop = 64);
Bytes udp(uint16_t sport, uint16_t dport, const Bytes& data);  // checksum left 0: fix with fix_l4
Bytes tcp_syn(uint16_t sport, uint16_t dport);
Bytes icmp_echo(uint8_t type, uint16_t id, uint16_t seq, const Bytes& data);
// Recomputes the transport checksum of an IPv4 or IPv6 packet (TCP, UDP, ICMP, ICMPv6).
void fix_l4(Bytes& pkt);
// True when the transport checksum of the packet verifies.
bool l4_checksum_ok(const Bytes& pkt);

V4 v4(const char* s);
V6 v6(const char* s);

// The network of the translation tests: an IPv6 client that the pool maps, an IPv4 server under
// the well-known prefix, and one static map.
inline const char* const kConf =
    "tun-device t\n"
    "ipv4-addr 192.0.2.1\n"
    "prefix 64:ff9b::/96\n"
    "wkpf-strict no\n"
    "dynamic-pool 198.51.100.0/24\n"
    "map 203.0.113.5 2001:db8:5::5\n";
inline const V6 kClient = v6("2001:db8:c::2");  // gets 198.51.100.244 from the pool
inline const V4 kClient4 = v4("198.51.100.244");
inline const V4 kServer = v4("8.8.8.8");
inline const V6 kServer6 = v6("64:ff9b::808:808");

struct Harness {
  Config cfg;
  AddressMapper map;
  Counters counters;
  Translator tr;
  int64_t now_ms = 1'700'000'000'000;
  explicit Harness(const std::string& conf_text, uint32_t tun_mtu = 1500);
  std::vector<Bytes> run(Bytes pkt);
  uint64_t dropped(DropReason r) const { return counters.dropped[static_cast<size_t>(r)].get(); }
};

}  // namespace nat64::test
