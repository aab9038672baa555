// IPv6 -> IPv4 (RFC 7915 §5): data packets, ICMPv6 errors with their inner packet, RFC 4884
// extensions, and RFC 7757 §4 hairpinning.
#include <algorithm>

#include "nat64/address_class.h"
#include "nat64/checksum.h"
#include "nat64/icmp_tables.h"
#include "nat64/transport_checksum.h"
#include "nat64/translator.h"

namespace nat64 {

namespace {

void write_v4_header(uint8_t* o, uint8_t tos, uint32_t total, uint16_t id, uint16_t flags_off, uint8_t ttl,
                     uint8_t proto, V4 src, V4 dst) {
  o[0] = 0x45;
  o[1] = tos;
  store16(o + 2, static_cast<uint16_t>(total));
  store16(o + 4, id);
  store16(o + 6, flags_off);
  o[8] = ttl;
  o[9] = proto;
  store16(o + 10, 0);
  store32(o + 12, src);
  store32(o + 16, dst);
  store16(o + 10, csum::finish(csum::add_ipv4_header(o)));
}

// RFC 7915 §5.1: DF is set on unfragmented packets larger than 1260 bytes.
uint16_t flags_for(const V6View& h, uint32_t total) {
  if (h.has_frag) return static_cast<uint16_t>((h.more ? 0x2000 : 0) | h.frag_off / 8);
  return total > 1260 ? 0x4000 : 0;
}

}  // namespace

void Translator::v6_data(V6View& h) {
  const uint8_t* pkt = h.p;
  const int64_t now = now_s();
  V4 src4 = 0, dst4 = 0;
  MapResult r = map_.to_v4(h.dst, dst4, now, false);
  const bool hairpin = r.status == MapStatus::hairpin;
  if (r.status != MapStatus::ok && !hairpin) {
    if (r.status == MapStatus::drop) return drop(r.reason, true, pkt, h.total);
    if (defer_gso()) return;
    icmp6_error(h, icmp::v6::dest_unreach, 1, 0);
    return reject(r.reason, true, pkt, h.total);
  }
  PoolEvent ev;
  r = map_.to_v4_source(h.src, src4, now, ev);
  log_pool(ev, src4, h.src);
  if (r.status != MapStatus::ok) {
    if (r.status == MapStatus::drop) return drop(r.reason, true, pkt, h.total);
    if (defer_gso()) return;
    icmp6_error(h, icmp::v6::dest_unreach, 1, 0);
    return reject(r.reason, true, pkt, h.total);
  }
  if (hairpin && defer_gso()) return;

  uint8_t* l4 = h.l4();
  const uint32_t payload = h.l4_total();
  const bool first = h.frag_off == 0;
  bool udp_calc = false;
  if (!partial_ && h.proto == proto::udp && first && payload >= 8 && load16(l4 + 6) == 0) {
    if (s_.udp_cksum_mode == UdpCksumMode::drop || (s_.udp_cksum_mode == UdpCksumMode::calc && h.is_fragment()))
      return drop(DropReason::udp_zero_checksum, true, pkt, h.total);
    udp_calc = s_.udp_cksum_mode == UdpCksumMode::calc;
  }
  const uint32_t total = 20 + payload;
  if (total > 65535) {
    if (defer_gso()) return;
    return drop(DropReason::bad_fragment, true, pkt, h.total);
  }
  // Offloaded packets: the transport header length (for hdr_len) and, for GSO, the size of each
  // IPv4 segment the kernel will cut.
  const uint32_t l4_hdr = partial_ ? gso_l4_header(l4, h.l4_avail(), h.proto) : 0;
  const uint32_t wire = gso_ ? std::min(total, 20 + l4_hdr + in_.gso_size) : total;
  if (wire > s_.tun_mtu && !hairpin) {
    if (defer_gso()) return;
    icmp6_error(h, icmp::v6::packet_too_big, 0, std::max<uint32_t>(1280, s_.tun_mtu + 20));
    return reject(DropReason::too_big, true, pkt, h.total);
  }
  if (s_.mss_clamp && h.proto == proto::tcp && first) clamp_mss(l4, h.l4_avail());
  const auto delta = ChecksumDelta::v6_to_v4(h.src, h.dst, src4, dst4, payload);
  if (first && !update_transport(h.proto, l4, payload, delta, partial_))
    return drop(DropReason::icmp_untranslatable, true, pkt, h.total);
  if (udp_calc) {
    const uint16_t ck = csum::finish(csum::add(l4, payload, csum::pseudo4(src4, dst4, proto::udp, payload)));
    store16(l4 + 6, ck ? ck : 0xffff);
  }
  const uint16_t id = h.has_frag ? static_cast<uint16_t>(h.frag_id) : next_id();
  const uint8_t proto4 = h.proto == proto::icmpv6 ? proto::icmp : h.proto;
  if (hairpin) {
    uint8_t* b = hairpin_buf_.data();
    write_v4_header(b, h.tc, total, id, flags_for(h, total), static_cast<uint8_t>(h.hop - 1), proto4, src4, dst4);
    std::memcpy(b + 20, l4, payload);
    c_.hairpinned.add();
    in_.csum_start = 20;  // a partial checksum stays partial through the second pass
    return from_v4(b, total, true);
  }
  uint8_t* o = scratch(20);
  // DF follows the size of the packets on the wire: the segments, for a GSO packet.
  write_v4_header(o, h.tc, total, id, flags_for(h, wire), static_cast<uint8_t>(h.hop - 1), proto4, src4, dst4);
  c_.translated_6to4.add();
  c_.bytes_6to4.add(h.total);
  if (!partial_) return emit(o, 20, l4, payload, false);
  if (gso_) {
    c_.gso_6to4.add();
    c_.gso_segments_6to4.add((payload - l4_hdr + in_.gso_size - 1) / in_.gso_size);
  }
  emit(o, 20, l4, payload, false, out_vnet(false, 20, l4_hdr));
}

uint32_t Translator::inner_6to4(uint8_t* in, uint32_t len, uint8_t* out, uint32_t room) {
  V6View v;
  DropReason why;
  if (!parse_v6(in, len, true, v, why) || room < 20) return 0;
  // Not translated, the whole error dropped (RFC 7915 §5.3 has nothing to map them to): an
  // invalid address, an extension header (Tayga does not walk them in an inner packet), or
  // ICMPv4 inside IPv6.
  if (v6_is_invalid(v.src) || v6_is_invalid(v.dst) || v.l4_off != 40 || v.proto == proto::icmp) return 0;
  const int64_t now = now_s();
  V4 s4, d4;
  // Inner addresses may be hairpin addresses (prefix form of an IPv6-side address).
  const MapStatus ss = map_.to_v4(v.src, s4, now, true).status;
  const MapStatus sd = map_.to_v4(v.dst, d4, now, false).status;
  if ((ss != MapStatus::ok && ss != MapStatus::hairpin) || (sd != MapStatus::ok && sd != MapStatus::hairpin)) return 0;
  const uint32_t pay = std::min(v.l4_avail(), room - 20);
  const uint32_t total = 20 + v.l4_total();
  const uint8_t proto4 = v.proto == proto::icmpv6 ? proto::icmp : v.proto;
  // The original length and hop limit are kept (RFC 7915 §5.3).
  write_v4_header(out, v.tc, total, v.has_frag ? static_cast<uint16_t>(v.frag_id) : 0, flags_for(v, total), v.hop,
                  proto4, s4, d4);
  std::memcpy(out + 20, v.l4(), pay);
  const auto delta = ChecksumDelta::v6_to_v4(v.src, v.dst, s4, d4, v.l4_total());
  if (v.frag_off == 0 && !update_transport(v.proto, out + 20, pay, delta)) return 0;
  return 20 + pay;
}

void Translator::v6_icmp_error(V6View& h) {
  uint8_t* icmp = h.l4();
  const uint32_t ilen = h.l4_avail();
  if (csum::fold(csum::add(icmp, ilen, csum::pseudo6(h.src, h.dst, proto::icmpv6, ilen))) != 0xffff)
    return drop(DropReason::bad_icmp_checksum, true, h.p, h.total);
  const auto tc = icmp::error_6to4(icmp[0], icmp[1]);
  if (!tc) return drop(DropReason::icmp_untranslatable, true, h.p, h.total);

  const int64_t now = now_s();
  V4 dst4, src4;
  const MapStatus ds = map_.to_v4(h.dst, dst4, now, false).status;
  if (ds != MapStatus::ok && ds != MapStatus::hairpin)
    return drop(DropReason::no_destination_mapping, true, h.p, h.total);
  // RFC 6791: an untranslatable source (any IPv6 router) becomes our IPv4 address.
  const MapStatus ss = map_.to_v4(h.src, src4, now, true).status;
  if (ss != MapStatus::ok && ss != MapStatus::hairpin) src4 = map_.own_v4();

  uint8_t* orig = icmp + 8;
  uint32_t orig_len = ilen - 8;
  uint32_t ext_len = 0;
  // RFC 4884: Destination Unreachable and Time Exceeded give the original datagram's length
  // in 64-bit words.
  if ((icmp[0] == icmp::v6::dest_unreach || icmp[0] == icmp::v6::time_exceeded) && icmp[4] != 0) {
    const uint32_t il = icmp[4] * 8u;
    if (il > orig_len) return drop(DropReason::icmp_inner_invalid, true, h.p, h.total);
    ext_len = orig_len - il;
    orig_len = il;
  }

  uint32_t rest = 0;
  if (tc->type == icmp::v4::dest_unreach && tc->code == 4) {
    const uint32_t mtu6 = load32(icmp + 4);
    if (mtu6 < 68) return drop(DropReason::icmp_untranslatable, true, h.p, h.total);
    rest = (std::min(mtu6, s_.tun_mtu) - 20) & 0xffff;
  } else if (tc->type == icmp::v4::param_problem) {
    const auto ptr = icmp::pointer_6to4(load32(icmp + 4));
    if (!ptr) return drop(DropReason::icmp_untranslatable, true, h.p, h.total);
    rest = uint32_t(*ptr) << 24;
  }

  uint8_t* o = scratch(576);
  if (!o) return drop(DropReason::oversized, true, h.p, h.total);
  uint32_t room = 576 - 28;
  bool keep_ext = ext_len > 0 && ext_len + 128 <= room;
  if (keep_ext) room = (room - ext_len) & ~3u;
  uint32_t body = inner_6to4(orig, orig_len, o + 28, room);
  if (!body) return drop(DropReason::icmp_inner_invalid, true, h.p, h.total);
  if (keep_ext) {
    uint32_t padded = std::max<uint32_t>((body + 3) & ~3u, 128);
    std::memset(o + 28 + body, 0, padded - body);
    std::memcpy(o + 28 + padded, orig + orig_len, ext_len);
    rest = (rest & 0xff00ffff) | (padded / 4) << 16;
    body = padded + ext_len;
  }
  const uint32_t total = 28 + body;
  write_v4_header(o, h.tc, total, h.has_frag ? static_cast<uint16_t>(h.frag_id) : next_id(), flags_for(h, total),
                  static_cast<uint8_t>(h.hop - 1), proto::icmp, src4, dst4);
  o[20] = tc->type;
  o[21] = tc->code;
  store16(o + 22, 0);
  store32(o + 24, rest);
  store16(o + 22, csum::finish(csum::add(o + 20, 8 + body)));
  if (ds == MapStatus::hairpin) {
    std::memcpy(hairpin_buf_.data(), o, total);
    c_.hairpinned.add();
    return from_v4(hairpin_buf_.data(), total, true);
  }
  c_.icmp_errors_translated.add();
  c_.translated_6to4.add();
  c_.bytes_6to4.add(h.total);
  emit(o, 28 + body, nullptr, 0, false);
}

}  // namespace nat64
