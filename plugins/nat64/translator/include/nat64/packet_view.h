// Parsed views of IPv4 and IPv6 headers over a packet buffer (no copies). Outer packets are
// checked strictly; inner packets (inside ICMP errors) may be truncated.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nat64/counters.h"
#include "nat64/ip.h"

namespace nat64 {

namespace proto {
constexpr uint8_t hop_by_hop = 0, icmp = 1, tcp = 6, udp = 17, routing = 43, fragment = 44, icmpv6 = 58,
                  no_next = 59, dest_opts = 60;
}

struct V4View {
  uint8_t* p = nullptr;
  uint32_t hlen = 0;    // header length with options
  uint32_t total = 0;   // total length field
  uint32_t avail = 0;   // bytes present (== total for outer packets)
  uint8_t tos = 0, ttl = 0, proto = 0;
  uint16_t id = 0;
  bool df = false, mf = false;
  uint32_t frag_off = 0;  // in bytes
  V4 src = 0, dst = 0;
  uint8_t* l4() const { return p + hlen; }
  uint32_t l4_avail() const { return avail - hlen; }   // transport bytes present
  uint32_t l4_total() const { return total - hlen; }   // transport bytes per the header
  bool is_fragment() const { return mf || frag_off != 0; }
};

struct V6View {
  uint8_t* p = nullptr;
  uint32_t total = 0;  // 40 + payload length
  uint32_t avail = 0;  // bytes present
  uint32_t l4_off = 0; // first byte after the skipped extension headers
  uint8_t tc = 0, hop = 0, proto = 0;
  V6 src, dst;
  bool has_frag = false;
  uint32_t frag_id = 0;
  uint32_t frag_off = 0;  // in bytes
  bool more = false;
  uint32_t segments_left_at = 0;  // offset of a non-zero Segments Left field, 0 if none
  bool ext_after_frag = false;    // an extension header follows the fragment header
  uint8_t* l4() const { return p + l4_off; }
  uint32_t l4_avail() const { return avail - l4_off; }
  uint32_t l4_total() const { return total - l4_off; }
  bool is_fragment() const { return has_frag && (more || frag_off != 0); }
};

// Returns false with `why` set when the packet is malformed. `len` is what was read; an outer
// packet longer than its header says is trimmed.
bool parse_v4(uint8_t* p, size_t len, bool inner, V4View& v, DropReason& why);
bool parse_v6(uint8_t* p, size_t len, bool inner, V6View& v, DropReason& why);

// RFC 7915 §4.1: an IPv4 Loose/Strict Source Route option whose pointer has not passed its end.
bool has_unexpired_source_route(const V4View& v);

}  // namespace nat64
