// The translator core (RFC 7915): one packet in, zero or more packets out, no I/O, no
// allocation, no locks. A Translator is one worker's context: its scratch buffers, ICMP rate
// limiter, IPv4 ID generator, counters and address mapper view belong to the thread that calls
// process().
//
// One class, three files: translator.cpp holds intake (header checks, packets to the translator
// itself, hop limits), the generated ICMP errors and the offload helpers; translate_6to4.cpp the
// IPv6 -> IPv4 direction (RFC 7915 §5: v6_data, v6_icmp_error, inner_6to4); translate_4to6.cpp
// the IPv4 -> IPv6 direction (RFC 7915 §4: v4_data, quote_as_first_segment, v4_icmp_error,
// inner_4to6). The checksum arithmetic both directions share is in transport_checksum.h.
//
// Offloads (IFF_VNET_HDR): a packet may come with a virtio-net header describing a partial
// checksum (the pseudo-header sum, to be completed by the kernel) or a GSO super-packet (many
// TCP or UDP segments behind one header). Both are translated once, header only; the output
// carries the matching virtio-net header so that the kernel checksums and segments it.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "nat64/address_mapper.h"
#include "nat64/config.h"
#include "nat64/counters.h"
#include "nat64/packet_view.h"
#include "nat64/virtio_net.h"

namespace nat64 {

struct TranslatorSettings {
  UdpCksumMode udp_cksum_mode = UdpCksumMode::drop;
  uint32_t offlink_mtu = 1280;  // RFC 7915 "lowest-ipv6-mtu"
  uint32_t tun_mtu = 1500;      // updated by the caller whenever the TUN MTU changes
  uint32_t icmp_rate = 1000;    // generated ICMP errors per second (0: none)
  uint32_t icmp_burst = 50;
  MssClamp mss;                 // tcp-mss-clamp as configured
  uint32_t mss_clamp = 0;       // in force: clamp the MSS option of TCP SYNs to this (0: off)
  LogFlags log;
  static TranslatorSettings from(const Config& c, uint32_t tun_mtu = 1500);
  void set_tun_mtu(uint32_t mtu) {
    tun_mtu = mtu;
    mss_clamp = mss.for_mtu(mtu);
  }
};

// One output packet: `head` (rebuilt headers, in translator scratch) followed by `body`
// (usually the untouched payload, in the input buffer). Write both back to back.
struct OutPacket {
  const uint8_t* head = nullptr;
  uint32_t head_len = 0;
  const uint8_t* body = nullptr;
  uint32_t body_len = 0;
  bool ipv6 = false;
  VnetHdr vnet;  // what the kernel must still do (checksum, segmentation); zero: nothing
  uint32_t size() const { return head_len + body_len; }
};

// Per-packet log lines (tayga.conf `log`), only called for the enabled kinds.
class PacketLogger {
 public:
  virtual ~PacketLogger() = default;
  // kind: "DROP", "REJECT", "ICMP", "SELF"
  virtual void packet(std::string_view kind, bool ipv6, const uint8_t* pkt, size_t len, std::string_view reason) = 0;
  virtual void pool(PoolEvent ev, V4 v4, const V6& v6) = 0;
};

class Translator {
 public:
  // 54 fragments cover a 65535-byte IPv4 packet at the smallest lowest-ipv6-mtu (1280).
  static constexpr size_t kMaxOut = 64;

  Translator(AddressMapper& map, Counters& counters, const TranslatorSettings& s);

  // Translates one packet read from the TUN (IPv4 or IPv6 as the packet-information header
  // says), with the virtio-net header that came with it. The buffer may be modified (transport
  // checksums are updated in place). The result stays valid until the next call.
  std::span<const OutPacket> process(uint8_t* pkt, size_t len, bool ipv6, int64_t now_ms,
                                     const VnetHdr& vnet = {});
  // True after process() returned nothing for a GSO super-packet that must be handled segment
  // by segment (it needs ICMP errors, fragmentation or hairpinning, or its segments would not
  // fit): the caller segments it (gso_segment.h) and passes each segment to process().
  bool needs_segmentation() const { return segment_; }

  TranslatorSettings& settings() { return s_; }
  Counters& counters() { return c_; }
  void set_logger(PacketLogger* l) { logger_ = l; }

 private:
  // Intake, per family (translator.cpp).
  void from_v4(uint8_t* pkt, size_t len, bool hairpin);
  void from_v6(uint8_t* pkt, size_t len);
  void v4_to_self(V4View& h);
  void v6_to_self(V6View& h);

  // IPv4 -> IPv6 (translate_4to6.cpp). inner_*: the inner packet of an ICMP error, translated
  // into `out`; returns bytes written or 0 to drop.
  void v4_data(V4View& h, bool hairpin);
  void v4_icmp_error(V4View& h);
  uint32_t inner_4to6(uint8_t* in, uint32_t len, uint8_t* out, uint32_t room);
  // IPv6 -> IPv4 (translate_6to4.cpp).
  void v6_data(V6View& h);
  void v6_icmp_error(V6View& h);
  uint32_t inner_6to4(uint8_t* in, uint32_t len, uint8_t* out, uint32_t room);

  // Errors the translator generates itself, sent back to the packet's source.
  void icmp4_error(const V4View& h, uint8_t type, uint8_t code, uint32_t rest);
  void icmp6_error(const V6View& h, uint8_t type, uint8_t code, uint32_t rest);
  bool rate_ok();

  // Offloads: accepts or resolves the partial checksum of a packet whose transport starts at
  // l4_off; false when the header is unusable (the packet is dropped).
  bool take_partial_checksum(uint8_t* pkt, uint32_t total, uint32_t l4_off, uint8_t proto, bool fragment);
  // A GSO super-packet that needs per-segment treatment: handed back for segmentation.
  bool defer_gso() {
    if (!gso_) return false;
    segment_ = true;
    return true;
  }
  // Transport header length of a GSO packet's segments (TCP data offset or 8), 0 if invalid.
  uint32_t gso_l4_header(const uint8_t* l4, uint32_t avail, uint8_t proto) const;
  VnetHdr out_vnet(bool ipv6_out, uint32_t l3_len, uint32_t l4_hdr) const;
  void clamp_mss(uint8_t* l4, uint32_t avail);
  // Makes a GSO packet's IPv4 header describe its first segment (for the quote of an error).
  void quote_as_first_segment(V4View& h, uint32_t segment_total);

  void drop(DropReason r, bool ipv6, const uint8_t* p, size_t len);
  void reject(DropReason r, bool ipv6, const uint8_t* p, size_t len);
  void log_pool(PoolEvent ev, V4 v4, const V6& v6);

  uint8_t* scratch(size_t n);
  void emit(const uint8_t* head, uint32_t head_len, const uint8_t* body, uint32_t body_len, bool ipv6,
            const VnetHdr& vnet = {});
  uint16_t next_id();
  int64_t now_s() const { return now_ms_ / 1000; }

  AddressMapper& map_;
  Counters& c_;
  TranslatorSettings s_;
  PacketLogger* logger_ = nullptr;
  int64_t now_ms_ = 0;
  // Second half of a hairpin (RFC 7757 §4): the IPv4 form goes back to IPv6, the addresses on
  // the original sender's side take their RFC 6052 form and the TTL is not decremented again.
  bool hairpin_pass_ = false;
  // Offload state of the packet being processed.
  VnetHdr in_;
  bool partial_ = false;  // its TCP/UDP checksum field holds a pseudo-header seed
  bool gso_ = false;      // a GSO super-packet, translated whole
  bool segment_ = false;  // handed back for segmentation

  std::array<OutPacket, kMaxOut> out_{};
  size_t nout_ = 0;
  alignas(16) std::array<uint8_t, 16384> scratch_{};
  size_t scratch_used_ = 0;
  // A hairpinned packet is rebuilt as IPv4 here, then translated back to IPv6.
  alignas(16) std::array<uint8_t, 65536 + 64> hairpin_buf_{};

  uint32_t id_state_;
  int64_t tokens_ = 0;  // rate limiter, in thousandths of a token
  int64_t tokens_at_ms_ = 0;
};

}  // namespace nat64
