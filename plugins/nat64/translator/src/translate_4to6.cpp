// IPv4 -> IPv6 (RFC 7915 §4): data packets with fragmentation, ICMPv4 errors with their inner
// packet, RFC 4884 extensions.
#include <algorithm>

#include "nat64/address_class.h"
#include "nat64/checksum.h"
#include "nat64/icmp_tables.h"
#include "nat64/transport_checksum.h"
#include "nat64/translator.h"

namespace nat64 {

namespace {

void write_v6_header(uint8_t* o, uint8_t tc, uint32_t payload_len, uint8_t next, uint8_t hop, const V6& src,
                     const V6& dst) {
  o[0] = static_cast<uint8_t>(0x60 | tc >> 4);
  o[1] = static_cast<uint8_t>(tc << 4);
  o[2] = o[3] = 0;  // flow label 0
  store16(o + 4, static_cast<uint16_t>(payload_len));
  o[6] = next;
  o[7] = hop;
  store_v6(o + 8, src);
  store_v6(o + 24, dst);
}

void write_frag_header(uint8_t* o, uint8_t next, uint32_t offset, bool more, uint32_t id) {
  o[0] = next;
  o[1] = 0;
  store16(o + 2, static_cast<uint16_t>(offset | (more ? 1 : 0)));
  store32(o + 4, id);
}

}  // namespace

void Translator::v4_data(V4View& h, bool hairpin) {
  const uint8_t* pkt = h.p;
  if (h.hlen > 20 && has_unexpired_source_route(h)) {
    if (defer_gso()) return;
    icmp4_error(h, icmp::v4::dest_unreach, 5, 0);
    return reject(DropReason::source_route, false, pkt, h.total);
  }
  const int64_t now = now_s();
  V6 src6, dst6;
  MapResult r = map_.to_v6(h.dst, dst6, now);
  if (r.status != MapStatus::ok) {
    if (r.status == MapStatus::drop) return drop(r.reason, false, pkt, h.total);
    if (defer_gso()) return;
    icmp4_error(h, icmp::v4::dest_unreach, 13, 0);
    return reject(r.reason, false, pkt, h.total);
  }
  // RFC 7757 §4: the source of a hairpinned packet takes the RFC 6052 form, so the answer
  // comes back through the translator.
  r = hairpin ? map_.to_v6_by_prefix(h.src, src6) : map_.to_v6(h.src, src6, now);
  if (r.status != MapStatus::ok) {
    const DropReason why = r.reason == DropReason::no_destination_mapping ? DropReason::no_source_mapping : r.reason;
    if (r.status == MapStatus::drop) return drop(why, false, pkt, h.total);
    if (defer_gso()) return;
    icmp4_error(h, icmp::v4::dest_unreach, 13, 0);
    return reject(why, false, pkt, h.total);
  }

  uint8_t* l4 = h.l4();
  const uint32_t payload = h.l4_total();
  const bool first = h.frag_off == 0;
  const bool fragment = h.is_fragment();
  bool udp_calc = false;
  if (!partial_ && h.proto == proto::udp && first && payload >= 8 && load16(l4 + 6) == 0) {
    // Dropped silently and counted, as Tayga does; `calc` too when the checksum cannot be
    // computed, over a fragment (RFC 7915 §4.5).
    if (s_.udp_cksum_mode == UdpCksumMode::drop || (s_.udp_cksum_mode == UdpCksumMode::calc && fragment))
      return drop(DropReason::udp_zero_checksum, false, pkt, h.total);
    udp_calc = s_.udp_cksum_mode == UdpCksumMode::calc;
  }
  // Offloaded packets: the transport header length (for hdr_len) and, for GSO, the IPv4 size of
  // each segment; every decision below is about the packets on the wire.
  const uint32_t l4_hdr = partial_ ? gso_l4_header(l4, h.l4_avail(), h.proto) : 0;
  const uint32_t wire = gso_ ? std::min(h.total, h.hlen + l4_hdr + in_.gso_size) : h.total;
  // DF counts on fragments too (a DF first fragment is too big just the same), as in Jool.
  if (h.df && wire + (fragment ? 28 : 20) > s_.tun_mtu) {
    // One error for a whole GSO packet, quoting its first segment as the sender sent it.
    if (gso_) quote_as_first_segment(h, wire);
    icmp4_error(h, icmp::v4::dest_unreach, 4, (s_.tun_mtu - 20) & 0xffff);
    return reject(DropReason::too_big, false, pkt, h.total);
  }
  const uint32_t lowest = std::min(s_.offlink_mtu, s_.tun_mtu);
  const bool whole = !fragment && (h.df || 40 + (wire - h.hlen) <= lowest);
  // Segments that must go out as IPv6 fragments are cut here, one by one.
  if (!whole && defer_gso()) return;

  if (s_.mss_clamp && h.proto == proto::tcp && first) clamp_mss(l4, h.l4_avail());
  const auto delta = ChecksumDelta::v4_to_v6(h.src, h.dst, src6, dst6, payload);
  if (first && !update_transport(h.proto, l4, payload, delta, partial_))
    return drop(DropReason::icmp_untranslatable, false, pkt, h.total);
  if (udp_calc) {
    store16(l4 + 6, 0);
    const uint16_t ck = csum::finish(csum::add(l4, payload, csum::pseudo6(src6, dst6, proto::udp, payload)));
    store16(l4 + 6, ck ? ck : 0xffff);
  }

  const uint8_t next = h.proto == proto::icmp ? proto::icmpv6 : h.proto;
  const uint8_t hop = hairpin ? h.ttl : static_cast<uint8_t>(h.ttl - 1);
  c_.translated_4to6.add();
  c_.bytes_4to6.add(h.total);
  if (whole) {
    uint8_t* o = scratch(40);
    write_v6_header(o, h.tos, payload, next, hop, src6, dst6);
    if (!partial_) return emit(o, 40, l4, payload, true);
    if (gso_) {
      c_.gso_4to6.add();
      c_.gso_segments_4to6.add((payload - l4_hdr + in_.gso_size - 1) / in_.gso_size);
    }
    return emit(o, 40, l4, payload, true, out_vnet(true, 40, l4_hdr));
  }
  // Fragments cannot carry a partial checksum: complete it (over the translated pseudo-header).
  if (partial_) {
    const uint32_t at = h.proto == proto::tcp ? 16 : 6;
    uint16_t v = csum::finish(csum::add(l4, payload));
    store16(l4 + at, v == 0 && h.proto == proto::udp ? 0xffff : v);
    partial_ = false;
    c_.checksums_completed.add();
  }
  // Fragment header on every piece; pieces fit the lowest IPv6 MTU (RFC 7915 §4 and §4.1).
  const uint32_t chunk = ((lowest - 48) / 8) * 8;
  uint32_t pieces = 0;
  for (uint32_t off = 0; off < payload || (payload == 0 && pieces == 0); off += chunk) {
    const uint32_t n = std::min(chunk, payload - off);
    const bool last = off + n >= payload;
    uint8_t* o = scratch(48);
    if (!o || nout_ >= out_.size()) return drop(DropReason::oversized, false, pkt, h.total);
    write_v6_header(o, h.tos, 8 + n, proto::fragment, hop, src6, dst6);
    write_frag_header(o + 40, next, h.frag_off + off, !last || h.mf, h.id);
    emit(o, 48, l4 + off, n, true);
    ++pieces;
  }
  c_.fragments_created.add(pieces - 1);
}

void Translator::quote_as_first_segment(V4View& h, uint32_t segment_total) {
  store16(h.p + 2, static_cast<uint16_t>(segment_total));
  store16(h.p + 10, 0);
  store16(h.p + 10, csum::finish(csum::add(h.p, h.hlen)));
  h.total = h.avail = segment_total;
}

uint32_t Translator::inner_4to6(uint8_t* in, uint32_t len, uint8_t* out, uint32_t room) {
  V4View v;
  DropReason why;
  if (!parse_v4(in, len, true, v, why)) return 0;
  // Not translated, the whole error dropped: a dropped address class, or ICMPv6 inside IPv4.
  if (v4_is_dropped(v.src) || v4_is_dropped(v.dst) || v.proto == proto::icmpv6) return 0;
  const int64_t now = now_s();
  V6 s6, d6;
  if (map_.to_v6(v.src, s6, now).status != MapStatus::ok) return 0;
  // The inner destination is the error's addressee's peer: on a hairpin, its RFC 6052 form.
  const MapResult rd = hairpin_pass_ ? map_.to_v6_by_prefix(v.dst, d6) : map_.to_v6(v.dst, d6, now);
  if (rd.status != MapStatus::ok) return 0;
  const bool frag = v.is_fragment();
  const uint32_t hdr = frag ? 48 : 40;
  if (room < hdr) return 0;
  const uint32_t pay = std::min(v.l4_avail(), room - hdr);
  const uint8_t next = v.proto == proto::icmp ? proto::icmpv6 : v.proto;
  // Lengths keep the original datagram's size; the TTL is not decremented (RFC 7915 §4.3).
  write_v6_header(out, v.tos, v.l4_total() + (frag ? 8 : 0), frag ? proto::fragment : next, v.ttl, s6, d6);
  if (frag) write_frag_header(out + 40, next, v.frag_off, v.mf, v.id);
  std::memcpy(out + hdr, v.l4(), pay);
  const auto delta = ChecksumDelta::v4_to_v6(v.src, v.dst, s6, d6, v.l4_total());
  if (v.frag_off == 0 && !update_transport(v.proto, out + hdr, pay, delta)) return 0;
  return hdr + pay;
}

void Translator::v4_icmp_error(V4View& h) {
  uint8_t* icmp = h.l4();
  const uint32_t ilen = h.l4_avail();
  if (csum::fold(csum::add(icmp, ilen)) != 0xffff) return drop(DropReason::bad_icmp_checksum, false, h.p, h.total);
  const auto tc = icmp::error_4to6(icmp[0], icmp[1]);
  if (!tc) return drop(DropReason::icmp_untranslatable, false, h.p, h.total);

  const int64_t now = now_s();
  V6 dst6, src6;
  if (map_.to_v6(h.dst, dst6, now).status != MapStatus::ok)
    return drop(DropReason::no_destination_mapping, false, h.p, h.total);
  // RFC 6791: an untranslatable source (a router with a private address) becomes ours.
  const MapResult rs = hairpin_pass_ ? map_.to_v6_by_prefix(h.src, src6) : map_.to_v6(h.src, src6, now);
  if (rs.status != MapStatus::ok) src6 = map_.own_v6();

  uint8_t* orig = icmp + 8;
  uint32_t orig_len = ilen - 8;
  uint32_t ext_len = 0;
  // RFC 4884: a non-zero length (32-bit words) marks where the extension structure starts.
  if (icmp[5] != 0) {
    const uint32_t il = icmp[5] * 4u;
    if (il > orig_len) return drop(DropReason::icmp_inner_invalid, false, h.p, h.total);
    ext_len = orig_len - il;
    orig_len = il;
  }

  uint32_t rest = 0;
  if (tc->type == icmp::v6::packet_too_big) {
    uint32_t mtu = load16(icmp + 6);
    if (mtu < 68) mtu = icmp::mtu_plateau_below(orig_len >= 4 ? load16(orig + 2) : 0);
    rest = std::max<uint32_t>(1280, std::min(mtu + 20, s_.tun_mtu));
  } else if (tc->type == icmp::v6::param_problem && tc->code == 0) {
    const auto ptr = icmp::pointer_4to6(icmp[4]);
    if (!ptr) return drop(DropReason::icmp_untranslatable, false, h.p, h.total);
    rest = *ptr;
  } else if (tc->type == icmp::v6::param_problem && tc->code == 1) {
    rest = 6;  // points at the Next Header field
  }

  uint8_t* o = scratch(1280);
  if (!o) return drop(DropReason::oversized, false, h.p, h.total);
  uint32_t room = 1280 - 48;
  // Only Destination Unreachable and Time Exceeded carry a length field in ICMPv6.
  bool keep_ext = ext_len > 0 && ext_len + 128 <= room &&
                  (tc->type == icmp::v6::dest_unreach || tc->type == icmp::v6::time_exceeded);
  if (keep_ext) room = (room - ext_len) & ~7u;
  uint32_t body = inner_4to6(orig, orig_len, o + 48, room);
  if (!body) return drop(DropReason::icmp_inner_invalid, false, h.p, h.total);
  if (keep_ext) {
    // The original datagram is zero-padded to 64 bits and to at least 128 bytes.
    uint32_t padded = std::max<uint32_t>((body + 7) & ~7u, 128);
    std::memset(o + 48 + body, 0, padded - body);
    std::memcpy(o + 48 + padded, orig + orig_len, ext_len);
    rest = (rest & 0x00ffffff) | (padded / 8) << 24;
    body = padded + ext_len;
  }
  write_v6_header(o, h.tos, 8 + body, proto::icmpv6, static_cast<uint8_t>(hairpin_pass_ ? h.ttl : h.ttl - 1), src6,
                  dst6);
  o[40] = tc->type;
  o[41] = tc->code;
  store16(o + 42, 0);
  store32(o + 44, rest);
  store16(o + 42, csum::finish(csum::add(o + 40, 8 + body, csum::pseudo6(src6, dst6, proto::icmpv6, 8 + body))));
  c_.icmp_errors_translated.add();
  c_.translated_4to6.add();
  c_.bytes_4to6.add(h.total);
  emit(o, 48 + body, nullptr, 0, true);
}

}  // namespace nat64
