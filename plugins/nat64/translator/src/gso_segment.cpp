#include "nat64/gso_segment.h"

#include <algorithm>
#include <cstring>

#include "nat64/checksum.h"
#include "nat64/packet_view.h"

namespace nat64 {

namespace {
constexpr uint8_t kTcpFin = 0x01, kTcpPsh = 0x08, kTcpCwr = 0x80;
}

bool gso_segment(uint8_t* pkt, size_t len, bool ipv6, const VnetHdr& vnet, uint8_t* buf, size_t buf_size,
                 SegmentSink& sink) {
  uint32_t l4_off, total;
  uint8_t proto;
  bool fragment;
  V4View h4;
  V6View h6;
  DropReason why;
  if (ipv6) {
    if (!parse_v6(pkt, len, false, h6, why)) return false;
    l4_off = h6.l4_off, total = h6.total, proto = h6.proto, fragment = h6.has_frag;
  } else {
    if (!parse_v4(pkt, len, false, h4, why)) return false;
    l4_off = h4.hlen, total = h4.total, proto = h4.proto, fragment = h4.is_fragment();
  }
  const uint32_t gso = vnet.gso_size;
  if (fragment || gso == 0 || (proto != proto::tcp && proto != proto::udp)) return false;
  const uint8_t* l4 = pkt + l4_off;
  const uint32_t avail = total - l4_off;
  uint32_t l4_hdr = 8;
  if (proto == proto::tcp) {
    if (avail < 20) return false;
    l4_hdr = (l4[12] >> 4) * 4u;
    if (l4_hdr < 20) return false;
  }
  if (l4_hdr > avail) return false;
  const uint32_t headers = l4_off + l4_hdr;
  if (headers + gso > buf_size) return false;
  const uint32_t payload = total - headers;
  const uint32_t seq0 = proto == proto::tcp ? load32(l4 + 4) : 0;
  const uint16_t id0 = ipv6 ? 0 : h4.id;
  const uint32_t pseudo_addrs = ipv6 ? csum::add_v6(h6.src) + csum::add_v6(h6.dst) : csum::add_v4(h4.src) + csum::add_v4(h4.dst);
  uint32_t i = 0;
  for (uint32_t off = 0; off < payload || (payload == 0 && i == 0); off += gso, ++i) {
    const uint32_t n = std::min(gso, payload - off);
    const bool last = off + n >= payload;
    std::memcpy(buf, pkt, headers);
    std::memcpy(buf + headers, pkt + headers + off, n);
    const uint32_t seg_total = headers + n;
    if (ipv6) {
      store16(buf + 4, static_cast<uint16_t>(seg_total - 40));
    } else {
      // The kernel gives TSO segments consecutive IPv4 IDs; so do we.
      store16(buf + 2, static_cast<uint16_t>(seg_total));
      store16(buf + 4, static_cast<uint16_t>(id0 + i));
      store16(buf + 10, 0);
      store16(buf + 10, csum::finish(csum::add(buf, l4_off)));
    }
    uint8_t* s4 = buf + l4_off;
    const uint32_t l4_len = l4_hdr + n;
    uint32_t ck_at = 6;
    if (proto == proto::tcp) {
      store32(s4 + 4, seq0 + off);
      if (!last) s4[13] &= static_cast<uint8_t>(~(kTcpFin | kTcpPsh));
      if (i > 0) s4[13] &= static_cast<uint8_t>(~kTcpCwr);
      ck_at = 16;
    } else {
      store16(s4 + 4, static_cast<uint16_t>(l4_len));
    }
    store16(s4 + ck_at, 0);
    const uint32_t pseudo = pseudo_addrs + proto + (l4_len >> 16) + (l4_len & 0xffff);
    const uint16_t ck = csum::finish(csum::add(s4, l4_len, pseudo));
    store16(s4 + ck_at, ck == 0 && proto == proto::udp ? 0xffff : ck);
    sink.segment(buf, seg_total);
  }
  return true;
}

}  // namespace nat64
