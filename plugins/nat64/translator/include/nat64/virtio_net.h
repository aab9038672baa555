// The virtio-net header that a TUN device opened with IFF_VNET_HDR puts before every packet
// (struct virtio_net_hdr, 10 bytes): how the kernel describes a GSO super-packet and a partial
// checksum. Constants are spelled out here because the build hosts' kernel headers may predate
// USO (Linux 6.2).
#pragma once

#include <bit>
#include <cstdint>

namespace nat64 {

namespace vnet {
// flags
constexpr uint8_t needs_csum = 1;  // checksum from csum_start to the end, stored at +csum_offset
constexpr uint8_t data_valid = 2;  // checksum already verified (nothing for us to do)
// gso_type
constexpr uint8_t gso_none = 0, gso_tcpv4 = 1, gso_udp = 3, gso_tcpv6 = 4, gso_udp_l4 = 5;
constexpr uint8_t gso_ecn = 0x80;  // TCP with CWR: the kernel keeps CWR on the first segment only
constexpr unsigned kSize = 10;
}  // namespace vnet

// TUNSETOFFLOAD flags (linux/if_tun.h); USO4/USO6 since Linux 6.2.
namespace tun_f {
constexpr unsigned csum = 0x01, tso4 = 0x02, tso6 = 0x04, tso_ecn = 0x08, uso4 = 0x20, uso6 = 0x40;
}

struct VnetHdr {
  uint8_t flags = 0;
  uint8_t gso_type = vnet::gso_none;
  uint16_t hdr_len = 0;      // bytes of headers (IP and transport) before the payload
  uint16_t gso_size = 0;     // payload bytes per segment
  uint16_t csum_start = 0;   // from the start of the IP header
  uint16_t csum_offset = 0;  // of the checksum field, from csum_start

  bool gso() const { return (gso_type & ~vnet::gso_ecn) != vnet::gso_none; }
  uint8_t gso_kind() const { return gso_type & static_cast<uint8_t>(~vnet::gso_ecn); }
  bool partial_csum() const { return flags & vnet::needs_csum; }
};

// The header's 16-bit fields are little-endian once TUNSETVNETLE succeeded, and in the CPU's
// order otherwise (legacy virtio): `le` says which.
inline uint16_t vnet_load16(const uint8_t* p, bool le) {
  const bool little = le || std::endian::native == std::endian::little;
  return little ? static_cast<uint16_t>(p[0] | p[1] << 8) : static_cast<uint16_t>(p[0] << 8 | p[1]);
}
inline void vnet_store16(uint8_t* p, uint16_t v, bool le) {
  const bool little = le || std::endian::native == std::endian::little;
  p[little ? 0 : 1] = static_cast<uint8_t>(v);
  p[little ? 1 : 0] = static_cast<uint8_t>(v >> 8);
}

inline VnetHdr load_vnet(const uint8_t* p, bool le) {
  VnetHdr h;
  h.flags = p[0];
  h.gso_type = p[1];
  h.hdr_len = vnet_load16(p + 2, le);
  h.gso_size = vnet_load16(p + 4, le);
  h.csum_start = vnet_load16(p + 6, le);
  h.csum_offset = vnet_load16(p + 8, le);
  return h;
}

inline void store_vnet(uint8_t* p, const VnetHdr& h, bool le) {
  p[0] = h.flags;
  p[1] = h.gso_type;
  vnet_store16(p + 2, h.hdr_len, le);
  vnet_store16(p + 4, h.gso_size, le);
  vnet_store16(p + 6, h.csum_start, le);
  vnet_store16(p + 8, h.csum_offset, le);
}

}  // namespace nat64
