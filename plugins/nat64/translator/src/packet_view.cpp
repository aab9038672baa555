#include "nat64/packet_view.h"

namespace nat64 {

bool parse_v4(uint8_t* p, size_t len, bool inner, V4View& v, DropReason& why) {
  why = DropReason::truncated;
  if (len < 20) return false;
  if (p[0] >> 4 != 4) {
    why = DropReason::bad_version;
    return false;
  }
  v.p = p;
  v.hlen = (p[0] & 0x0f) * 4u;
  v.total = load16(p + 2);
  if (v.hlen < 20 || v.hlen > len || v.total < v.hlen) return false;
  if (!inner && v.total > len) return false;
  v.avail = v.total < len ? v.total : static_cast<uint32_t>(len);
  v.tos = p[1];
  v.id = load16(p + 4);
  const uint16_t ff = load16(p + 6);
  v.df = ff & 0x4000;
  v.mf = ff & 0x2000;
  v.frag_off = (ff & 0x1fffu) * 8;
  v.ttl = p[8];
  v.proto = p[9];
  v.src = load32(p + 12);
  v.dst = load32(p + 16);
  if (!inner && v.frag_off + v.l4_total() > 65535) {
    why = DropReason::bad_fragment;
    return false;
  }
  return true;
}

bool parse_v6(uint8_t* p, size_t len, bool inner, V6View& v, DropReason& why) {
  why = DropReason::truncated;
  if (len < 40) return false;
  if (p[0] >> 4 != 6) {
    why = DropReason::bad_version;
    return false;
  }
  v.p = p;
  v.total = 40u + load16(p + 4);
  if (!inner && v.total > len) return false;
  v.avail = v.total < len ? v.total : static_cast<uint32_t>(len);
  v.tc = static_cast<uint8_t>((p[0] & 0x0f) << 4 | p[1] >> 4);
  v.hop = p[7];
  v.src = load_v6(p + 8);
  v.dst = load_v6(p + 24);
  uint8_t nh = p[6];
  uint32_t off = 40;
  // Hop-by-hop, routing and destination options before the fragment header are skipped (RFC
  // 7915 §5.1); what follows the fragment header is not walked.
  while (true) {
    if (nh == proto::hop_by_hop || nh == proto::routing || nh == proto::dest_opts) {
      if (off + 8 > v.avail) return false;
      const uint32_t hl = (p[off + 1] + 1u) * 8;
      if (nh == proto::routing && p[off + 3] != 0 && v.segments_left_at == 0) v.segments_left_at = off + 3;
      nh = p[off];
      off += hl;
      if (off > v.avail) return false;
    } else if (nh == proto::fragment) {
      if (v.has_frag) {
        why = DropReason::bad_fragment;
        return false;
      }
      if (off + 8 > v.avail) return false;
      v.has_frag = true;
      v.frag_off = load16(p + off + 2) & 0xfff8u;
      v.more = p[off + 3] & 1;
      v.frag_id = load32(p + off + 4);
      nh = p[off];
      off += 8;
      if (nh == proto::hop_by_hop || nh == proto::routing || nh == proto::dest_opts || nh == proto::fragment)
        v.ext_after_frag = true;
      break;
    } else {
      break;
    }
  }
  v.l4_off = off;
  v.proto = nh;
  if (!inner && v.has_frag && v.frag_off + v.l4_total() > 65535) {
    why = DropReason::bad_fragment;
    return false;
  }
  return true;
}

bool has_unexpired_source_route(const V4View& v) {
  const uint8_t* o = v.p + 20;
  const uint8_t* end = v.p + v.hlen;
  while (o < end) {
    const uint8_t type = o[0];
    if (type == 0) break;        // end of options
    if (type == 1) {             // no-op
      ++o;
      continue;
    }
    if (o + 2 > end || o[1] < 2 || o + o[1] > end) break;
    // LSRR (131) and SSRR (137): the pointer (1-based) is unexpired while it points inside.
    if ((type == 131 || type == 137) && o[1] >= 3 && o[2] <= o[1]) return true;
    o += o[1];
  }
  return false;
}

}  // namespace nat64
