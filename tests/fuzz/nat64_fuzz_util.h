// What the nat64 fuzz targets share: translators configured for Jool's graybox network (so the
// graybox packets in plugins/nat64/translator/tests/data seed them with mapped addresses), the
// state reset that lets one translator serve every input, and the checks every packet it emits
// must pass.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <array>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "nat64/address_mapper.h"
#include "nat64/checksum.h"
#include "nat64/config.h"
#include "nat64/translator.h"

namespace nat64::fuzz {

// Jool's graybox network (docs/nat64.md, "Graybox replay") plus a dynamic pool, a single-host map
// and the well-known prefix's strict mode off (it does not apply to this prefix anyway).
inline Config graybox_config(uint8_t ctl) {
  std::string text =
      "tun-device nat64\n"
      "ipv4-addr 203.0.113.8\n"
      "prefix 2001:db8:100::/40\n"
      "map 1.0.0.0/24 2001:db8:3::/120\n"
      "map 10.0.0.0/24 2001:db8:2::/120\n"
      "map 192.0.2.200 2001:db8:5::5\n"
      "dynamic-pool 100.64.0.0/28\n";
  // The last input byte picks the settings a packet is translated with.
  static const char* const kUdp[] = {"drop", "calc", "fwd", "drop"};
  text += std::string("udp-cksum-mode ") + kUdp[ctl & 3] + "\n";
  if (ctl & 4) text += "offlink-mtu 1500\n";
  if (ctl & 8) text += "tcp-mss-clamp auto\n";
  auto r = parse_config(text, "fuzz.conf");
  if (!r.ok()) std::abort();
  return r.config;
}

struct Net {
  Config cfg;
  AddressMapper map;
  Counters counters;
  Translator tr;
  explicit Net(uint8_t ctl)
      : cfg(graybox_config(ctl)), map(cfg), tr(map, counters, TranslatorSettings::from(cfg, ctl & 16 ? 1280 : 1500)) {}
};

// Building a translator costs about 1 ms under ASan, far more than translating a packet, so each
// of the 32 setting combinations (the last byte's low five bits) gets one translator, built on
// first use and kept for the whole run. So that every input still starts from what a fresh
// translator holds, each input runs on a clock 15 days past the previous input's and the pool's
// timers run first: every lease an earlier input took has then been idle longer than the 14 days
// after which a dormant lease is freed (docs/nat64.md, "Dynamic pool"), so the pool is empty
// again; freeing bumps the pool's generation, which empties the lease cache; and the ICMP error
// rate limiter's bucket is full again. The other choice, a pool too large to fill, was rejected:
// whether a source gets a new lease or an old one would then depend on earlier inputs, and the
// pool's tables would grow all run. What an earlier input still leaves behind is the IPv4
// Identification generator's position and the counters, which decide nothing about a packet's
// fate, so a finding replays from its input alone (`<target>_fuzz FILE`).
struct Fresh {
  Net& net;
  int64_t now_ms;
};

inline Fresh fresh_net(uint8_t ctl) {
  static constexpr int64_t kStepMs = 15LL * 24 * 3600 * 1000;
  static std::array<std::unique_ptr<Net>, 32> nets;
  static int64_t now_ms = 1'700'000'000'000;
  auto& n = nets[ctl & 31];
  if (!n) n = std::make_unique<Net>(ctl);
  now_ms += kStepMs;
  n->map.pool()->modify([](DynamicPool& p) { p.maintain(now_ms / 1000, nullptr); });
  return {*n, now_ms};
}

// Every packet out must be a whole IP packet whose length fields match its size, and an IPv4
// header must carry a valid checksum: the kernel would drop anything else.
inline void check_output(std::span<const OutPacket> out) {
  std::vector<uint8_t> p;
  for (const OutPacket& o : out) {
    p.assign(o.head, o.head + o.head_len);
    if (o.body_len) p.insert(p.end(), o.body, o.body + o.body_len);
    if (o.ipv6) {
      if (p.size() < 40 || (p[0] >> 4) != 6 || load16(&p[4]) + 40u != p.size()) std::abort();
    } else {
      if (p.size() < 20 || (p[0] >> 4) != 4 || load16(&p[2]) != p.size()) std::abort();
      if (csum::fold(csum::add(p.data(), (p[0] & 15) * 4u)) != 0xffff) std::abort();
    }
  }
}

// Translates one packet in a buffer of its own (the translator may rewrite it in place).
inline void translate(const uint8_t* data, size_t size, bool ipv6) {
  if (size < 1) return;
  const uint8_t ctl = data[size - 1];  // past the IP total length: trimmed off by the translator
  auto [net, now_ms] = fresh_net(ctl);
  static std::vector<uint8_t> pkt;
  pkt.assign(data, data + size);
  check_output(net.tr.process(pkt.data(), pkt.size(), ipv6, now_ms));
  // A second packet from the same hosts sees the pool leases and counters the first one left.
  pkt.assign(data, data + size);
  check_output(net.tr.process(pkt.data(), pkt.size(), ipv6, now_ms + 1000));
}

}  // namespace nat64::fuzz
