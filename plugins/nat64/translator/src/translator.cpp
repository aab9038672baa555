// Intake checks, dispatch, packets to the translator itself, generated ICMP errors.
#include "nat64/translator.h"

#include <random>

#include "nat64/address_class.h"
#include "nat64/checksum.h"
#include "nat64/icmp_tables.h"

namespace nat64 {

TranslatorSettings TranslatorSettings::from(const Config& c, uint32_t tun_mtu) {
  TranslatorSettings s;
  s.udp_cksum_mode = c.udp_cksum_mode;
  s.offlink_mtu = c.offlink_mtu;
  s.icmp_rate = c.icmp_rate;
  s.icmp_burst = c.icmp_burst;
  s.log = c.log;
  s.mss = c.tcp_mss_clamp;
  s.set_tun_mtu(tun_mtu);
  return s;
}

Translator::Translator(AddressMapper& map, Counters& counters, const TranslatorSettings& s)
    : map_(map), c_(counters), s_(s) {
  std::random_device rd;
  id_state_ = rd() | 1;
  tokens_ = int64_t(s_.icmp_burst) * 1000;
}

std::span<const OutPacket> Translator::process(uint8_t* pkt, size_t len, bool ipv6, int64_t now_ms,
                                               const VnetHdr& vnet) {
  nout_ = 0;
  scratch_used_ = 0;
  hairpin_pass_ = false;
  now_ms_ = now_ms;
  in_ = vnet;
  partial_ = false;
  gso_ = vnet.gso();
  segment_ = false;
  if (ipv6) from_v6(pkt, len);
  else from_v4(pkt, len, false);
  return {out_.data(), nout_};
}

uint8_t* Translator::scratch(size_t n) {
  if (scratch_used_ + n > scratch_.size()) return nullptr;
  uint8_t* p = scratch_.data() + scratch_used_;
  scratch_used_ += (n + 15) & ~size_t(15);
  return p;
}

void Translator::emit(const uint8_t* head, uint32_t head_len, const uint8_t* body, uint32_t body_len, bool ipv6,
                      const VnetHdr& vnet) {
  if (nout_ >= out_.size()) return;
  out_[nout_++] = {head, head_len, body, body_len, ipv6, vnet};
}

uint16_t Translator::next_id() {
  // xorshift32: cheap, per worker, never shared between threads.
  uint32_t x = id_state_;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  id_state_ = x;
  return static_cast<uint16_t>(x ^ (x >> 16));
}

void Translator::drop(DropReason r, bool ipv6, const uint8_t* p, size_t len) {
  c_.drop(r);
  if (logger_ && s_.log.drop) logger_->packet("DROP", ipv6, p, len, drop_reason_help(r));
}

void Translator::reject(DropReason r, bool ipv6, const uint8_t* p, size_t len) {
  c_.drop(r);
  if (logger_ && s_.log.reject) logger_->packet("REJECT", ipv6, p, len, drop_reason_help(r));
}

void Translator::log_pool(PoolEvent ev, V4 v4, const V6& v6) {
  if (ev != PoolEvent::none && logger_ && s_.log.dyn) logger_->pool(ev, v4, v6);
}

bool Translator::rate_ok() {
  if (s_.icmp_rate == 0) return false;
  const int64_t cap = int64_t(s_.icmp_burst) * 1000;
  if (now_ms_ > tokens_at_ms_) {
    tokens_ += (now_ms_ - tokens_at_ms_) * s_.icmp_rate;
    if (tokens_ > cap) tokens_ = cap;
    tokens_at_ms_ = now_ms_;
  } else if (now_ms_ < tokens_at_ms_) {
    tokens_at_ms_ = now_ms_;  // clock stepped back
  }
  if (tokens_ < 1000) {
    c_.icmp_errors_rate_limited.add();
    return false;
  }
  tokens_ -= 1000;
  return true;
}

// ---------------------------------------------------------------------------------------
// Offloads

bool Translator::take_partial_checksum(uint8_t* pkt, uint32_t total, uint32_t l4_off, uint8_t proto,
                                       bool fragment) {
  partial_ = false;
  const uint32_t start = in_.csum_start, field = start + in_.csum_offset;
  if (start < 20 || field + 2 > total) return false;
  const bool transport = !fragment && start == l4_off;
  if (transport && ((proto == proto::tcp && in_.csum_offset == 16) || (proto == proto::udp && in_.csum_offset == 6))) {
    partial_ = true;  // translated by updating the seed; the kernel completes it
    return true;
  }
  // Anything else (ICMP, an unusual layout) is completed here, as the device would have done,
  // and then translated like any other packet.
  uint16_t v = csum::finish(csum::add(pkt + start, total - start));
  if (v == 0 && transport && proto == proto::udp) v = 0xffff;
  store16(pkt + field, v);
  c_.checksums_completed.add();
  return true;
}

uint32_t Translator::gso_l4_header(const uint8_t* l4, uint32_t avail, uint8_t proto) const {
  if (proto == proto::udp) return avail >= 8 ? 8 : 0;
  if (avail < 20) return 0;
  const uint32_t doff = (l4[12] >> 4) * 4u;
  return doff >= 20 && doff <= avail ? doff : 0;
}

// The virtio-net header of a translated data packet: the same work left to the kernel, for the
// new header layout (csum_start moves with the IP header size; TCPV4 <-> TCPV6).
VnetHdr Translator::out_vnet(bool ipv6_out, uint32_t l3_len, uint32_t l4_hdr) const {
  VnetHdr o;
  if (partial_) {
    o.flags = vnet::needs_csum;
    o.csum_start = static_cast<uint16_t>(l3_len);
    o.csum_offset = in_.csum_offset;
    o.hdr_len = static_cast<uint16_t>(l3_len + l4_hdr);
  }
  if (gso_) {
    uint8_t kind = in_.gso_kind();
    if (kind == vnet::gso_tcpv4 || kind == vnet::gso_tcpv6) kind = ipv6_out ? vnet::gso_tcpv6 : vnet::gso_tcpv4;
    o.gso_type = static_cast<uint8_t>(kind | (in_.gso_type & vnet::gso_ecn));
    o.gso_size = in_.gso_size;
  }
  return o;
}

// Clamps the MSS option of a TCP SYN (tcp-mss-clamp), in both directions, updating the checksum
// incrementally (a partial checksum covers no TCP bytes yet: nothing to update then).
void Translator::clamp_mss(uint8_t* l4, uint32_t avail) {
  if (avail < 20 || !(l4[13] & 0x02)) return;
  const uint32_t doff = (l4[12] >> 4) * 4u;
  if (doff < 20 || doff > avail) return;
  for (uint32_t i = 20; i < doff;) {
    const uint8_t kind = l4[i];
    if (kind == 0) return;  // end of options
    if (kind == 1) {        // no-op
      ++i;
      continue;
    }
    if (i + 1 >= doff || l4[i + 1] < 2 || i + l4[i + 1] > doff) return;
    if (kind == 2 && l4[i + 1] == 4) {
      const uint16_t mss = load16(l4 + i + 2);
      const uint16_t clamp = static_cast<uint16_t>(s_.mss_clamp);
      if (mss <= clamp) return;
      store16(l4 + i + 2, clamp);
      if (!partial_) {
        // A 16-bit value at an odd offset adds to the sum byte-swapped (RFC 1071 §2(B)).
        const bool odd = (i + 2) & 1;
        const uint32_t o = odd ? __builtin_bswap16(mss) : mss, n = odd ? __builtin_bswap16(clamp) : clamp;
        store16(l4 + 16, csum::update(load16(l4 + 16), o, n));
      }
      c_.mss_clamped.add();
      return;
    }
    i += l4[i + 1];
  }
}

// ---------------------------------------------------------------------------------------
// Intake: header checks (RFC 791, RFC 8200) before any translation

void Translator::from_v4(uint8_t* pkt, size_t len, bool hairpin) {
  V4View h;
  DropReason why;
  hairpin_pass_ = hairpin;
  if (!parse_v4(pkt, len, false, h, why)) return drop(why, false, pkt, len);
  const uint32_t header_sum = h.hlen == 20 ? csum::add_ipv4_header(pkt) : csum::add(pkt, h.hlen);
  if (csum::fold(header_sum) != 0xffff) return drop(DropReason::bad_ipv4_checksum, false, pkt, h.total);
  if (in_.partial_csum() && !take_partial_checksum(pkt, h.total, h.hlen, h.proto, h.is_fragment()))
    return drop(DropReason::bad_offload, false, pkt, h.total);
  if (gso_) {
    const uint8_t kind = in_.gso_kind();
    const bool whole = partial_ && in_.gso_size > 0 && !h.is_fragment() &&
                       ((h.proto == proto::tcp && kind == vnet::gso_tcpv4) ||
                        (h.proto == proto::udp && kind == vnet::gso_udp_l4)) &&
                       gso_l4_header(h.l4(), h.l4_avail(), h.proto) != 0;
    if (!whole) return (void)defer_gso();
  }
  const bool icmp_error = h.proto == proto::icmp && h.l4_avail() >= 1 && icmp::is_v4_error(h.l4()[0]) &&
                          !h.is_fragment();
  // Dropped address classes, ICMP errors included (as Tayga; RFC 7915 §4.1 would translate an
  // ICMP error from 0.0.0.0 or 127.0.0.1).
  if (v4_is_dropped(h.src)) return drop(DropReason::invalid_source, false, pkt, h.total);
  if (v4_is_dropped(h.dst)) return drop(DropReason::invalid_destination, false, pkt, h.total);
  if (h.ttl == 0) return drop(DropReason::ttl_zero, false, pkt, h.total);
  if (h.dst == map_.own_v4() && !hairpin) return v4_to_self(h);
  if (h.proto == proto::hop_by_hop || h.proto == proto::routing || h.proto == proto::fragment ||
      h.proto == proto::icmpv6 || h.proto == proto::dest_opts)
    return drop(DropReason::protocol_not_allowed, false, pkt, h.total);
  if (!hairpin && h.ttl <= 1) {
    if (defer_gso()) return;
    if (icmp_error) return drop(DropReason::ttl_expired, false, pkt, h.total);
    icmp4_error(h, icmp::v4::time_exceeded, 0, 0);
    return reject(DropReason::ttl_expired, false, pkt, h.total);
  }
  if (h.proto == proto::icmp) {
    if (h.is_fragment()) return drop(DropReason::fragmented_icmp, false, pkt, h.total);
    if (h.l4_avail() < 8) return drop(DropReason::truncated, false, pkt, h.total);
    const uint8_t type = h.l4()[0];
    if (icmp_error) return v4_icmp_error(h);
    if (type != icmp::v4::echo_request && type != icmp::v4::echo_reply)
      return drop(DropReason::icmp_untranslatable, false, pkt, h.total);
  }
  v4_data(h, hairpin);
}

void Translator::from_v6(uint8_t* pkt, size_t len) {
  V6View h;
  DropReason why;
  if (!parse_v6(pkt, len, false, h, why)) return drop(why, true, pkt, len);
  if (in_.partial_csum() && !take_partial_checksum(pkt, h.total, h.l4_off, h.proto, h.is_fragment()))
    return drop(DropReason::bad_offload, true, pkt, h.total);
  if (gso_) {
    const uint8_t kind = in_.gso_kind();
    const bool whole = partial_ && in_.gso_size > 0 && !h.has_frag &&
                       ((h.proto == proto::tcp && kind == vnet::gso_tcpv6) ||
                        (h.proto == proto::udp && kind == vnet::gso_udp_l4)) &&
                       gso_l4_header(h.l4(), h.l4_avail(), h.proto) != 0;
    if (!whole) return (void)defer_gso();
  }
  if (v6_is_invalid(h.src)) return drop(DropReason::invalid_source, true, pkt, h.total);
  if (v6_is_invalid(h.dst)) return drop(DropReason::invalid_destination, true, pkt, h.total);
  if (h.hop == 0) return drop(DropReason::ttl_zero, true, pkt, h.total);
  if (h.dst == map_.own_v6()) return v6_to_self(h);
  const bool icmp_error = h.proto == proto::icmpv6 && h.l4_avail() >= 1 && icmp::is_v6_error(h.l4()[0]);
  if ((h.segments_left_at || h.ext_after_frag || h.hop <= 1) && defer_gso()) return;
  if (h.segments_left_at) {
    // RFC 7915 §5.1: a routing header with segments left is not translated.
    if (!icmp_error) icmp6_error(h, icmp::v6::param_problem, 0, h.segments_left_at);
    return reject(DropReason::routing_header, true, pkt, h.total);
  }
  if (h.ext_after_frag) {
    if (!icmp_error) icmp6_error(h, icmp::v6::dest_unreach, 1, 0);
    return reject(DropReason::ext_header_after_fragment, true, pkt, h.total);
  }
  if (h.proto == proto::icmp) return drop(DropReason::protocol_not_allowed, true, pkt, h.total);
  if (h.hop <= 1) {
    if (icmp_error) return drop(DropReason::ttl_expired, true, pkt, h.total);
    icmp6_error(h, icmp::v6::time_exceeded, 0, 0);
    return reject(DropReason::ttl_expired, true, pkt, h.total);
  }
  if (h.proto == proto::icmpv6) {
    if (h.is_fragment()) return drop(DropReason::fragmented_icmp, true, pkt, h.total);
    if (h.l4_avail() < 8) return drop(DropReason::truncated, true, pkt, h.total);
    if (icmp_error) return v6_icmp_error(h);
    const uint8_t type = h.l4()[0];
    if (type != icmp::v6::echo_request && type != icmp::v6::echo_reply)
      return drop(DropReason::icmp_untranslatable, true, pkt, h.total);
  }
  v6_data(h);
}

// ---------------------------------------------------------------------------------------
// Packets to the translator's own addresses: answer pings, refuse other protocols.

void Translator::v4_to_self(V4View& h) {
  if (defer_gso()) return;
  if (logger_ && s_.log.self) logger_->packet("SELF", false, h.p, h.total, "to translator");
  if (h.proto != proto::icmp) {
    icmp4_error(h, icmp::v4::dest_unreach, 2, 0);
    return reject(DropReason::to_self_unsupported, false, h.p, h.total);
  }
  if (h.is_fragment() || h.l4_avail() < 8 || h.l4()[0] != icmp::v4::echo_request)
    return drop(DropReason::to_self_unsupported, false, h.p, h.total);
  const uint32_t n = 20 + h.l4_avail();
  uint8_t* o = scratch(n);
  if (!o) return drop(DropReason::oversized, false, h.p, h.total);
  std::memset(o, 0, 20);
  o[0] = 0x45;
  o[1] = h.tos;
  store16(o + 2, static_cast<uint16_t>(n));
  store16(o + 4, next_id());
  o[8] = 64;
  o[9] = proto::icmp;
  store32(o + 12, h.dst);
  store32(o + 16, h.src);
  store16(o + 10, csum::finish(csum::add(o, 20)));
  std::memcpy(o + 20, h.l4(), h.l4_avail());
  o[20] = icmp::v4::echo_reply;
  store16(o + 22, csum::update(load16(o + 22), icmp::v4::echo_request << 8, icmp::v4::echo_reply << 8));
  c_.echo_replies.add();
  emit(o, n, nullptr, 0, false);
}

void Translator::v6_to_self(V6View& h) {
  if (defer_gso()) return;
  if (logger_ && s_.log.self) logger_->packet("SELF", true, h.p, h.total, "to translator");
  if (h.proto != proto::icmpv6) {
    icmp6_error(h, icmp::v6::param_problem, 1, 6);
    return reject(DropReason::to_self_unsupported, true, h.p, h.total);
  }
  if (h.is_fragment() || h.l4_avail() < 8 || h.l4()[0] != icmp::v6::echo_request)
    return drop(DropReason::to_self_unsupported, true, h.p, h.total);
  const uint32_t n = 40 + h.l4_avail();
  uint8_t* o = scratch(n);
  if (!o) return drop(DropReason::oversized, true, h.p, h.total);
  std::memset(o, 0, 40);
  o[0] = static_cast<uint8_t>(0x60 | h.tc >> 4);
  o[1] = static_cast<uint8_t>(h.tc << 4);
  store16(o + 4, static_cast<uint16_t>(h.l4_avail()));
  o[6] = proto::icmpv6;
  o[7] = 64;
  store_v6(o + 8, h.dst);
  store_v6(o + 24, h.src);
  std::memcpy(o + 40, h.l4(), h.l4_avail());
  o[40] = icmp::v6::echo_reply;
  store16(o + 42, csum::update(load16(o + 42), icmp::v6::echo_request << 8, icmp::v6::echo_reply << 8));
  c_.echo_replies.add();
  emit(o, n, nullptr, 0, true);
}

// ---------------------------------------------------------------------------------------
// Errors generated by the translator (RFC 7915 §4.4 and §5.4), rate-limited (RFC 7915 §4.4, §5.4).

void Translator::icmp4_error(const V4View& h, uint8_t type, uint8_t code, uint32_t rest) {
  if (v4_is_invalid(h.src) || !rate_ok()) return;
  const uint32_t quote = std::min<uint32_t>(h.total, 576 - 28);
  const uint32_t n = 28 + quote;
  uint8_t* o = scratch(n);
  if (!o) return;
  std::memset(o, 0, 28);
  o[0] = 0x45;
  store16(o + 2, static_cast<uint16_t>(n));
  o[8] = 64;
  o[9] = proto::icmp;
  store32(o + 12, map_.own_v4());
  store32(o + 16, h.src);
  store16(o + 10, csum::finish(csum::add(o, 20)));
  o[20] = type;
  o[21] = code;
  store32(o + 24, rest);
  std::memcpy(o + 28, h.p, quote);
  store16(o + 22, csum::finish(csum::add(o + 20, n - 20)));
  c_.icmp_errors_generated.add();
  if (logger_ && s_.log.icmp) logger_->packet("ICMP", false, h.p, h.total, "sent ICMP error");
  emit(o, n, nullptr, 0, false);
}

void Translator::icmp6_error(const V6View& h, uint8_t type, uint8_t code, uint32_t rest) {
  if (v6_is_invalid(h.src) || !rate_ok()) return;
  const uint32_t quote = std::min<uint32_t>(h.total, 1280 - 48);
  const uint32_t n = 48 + quote;
  uint8_t* o = scratch(n);
  if (!o) return;
  std::memset(o, 0, 48);
  o[0] = 0x60;
  store16(o + 4, static_cast<uint16_t>(n - 40));
  o[6] = proto::icmpv6;
  o[7] = 64;
  store_v6(o + 8, map_.own_v6());
  store_v6(o + 24, h.src);
  o[40] = type;
  o[41] = code;
  store32(o + 44, rest);
  std::memcpy(o + 48, h.p, quote);
  const uint32_t s = csum::pseudo6(map_.own_v6(), h.src, proto::icmpv6, n - 40);
  store16(o + 42, csum::finish(csum::add(o + 40, n - 40, s)));
  c_.icmp_errors_generated.add();
  if (logger_ && s_.log.icmp) logger_->packet("ICMP", true, h.p, h.total, "sent ICMPv6 error");
  emit(o, n, nullptr, 0, true);
}

}  // namespace nat64
