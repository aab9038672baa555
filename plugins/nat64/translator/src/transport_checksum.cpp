#include "nat64/transport_checksum.h"

#include "nat64/checksum.h"
#include "nat64/icmp_tables.h"
#include "nat64/packet_view.h"

namespace nat64 {

ChecksumDelta ChecksumDelta::v4_to_v6(V4 s4, V4 d4, const V6& s6, const V6& d6, uint32_t l4_total) {
  return {csum::add_v4(s4) + csum::add_v4(d4), csum::add_v6(s6) + csum::add_v6(d6),
          csum::pseudo6(s6, d6, proto::icmpv6, l4_total), true};
}

ChecksumDelta ChecksumDelta::v6_to_v4(const V6& s6, const V6& d6, V4 s4, V4 d4, uint32_t l4_total) {
  return {csum::add_v6(s6) + csum::add_v6(d6), csum::add_v4(s4) + csum::add_v4(d4),
          csum::pseudo6(s6, d6, proto::icmpv6, l4_total), false};
}

namespace {

// The other family's echo type, or -1 for any other ICMP message.
int echo_type(uint8_t type, bool to_v6) {
  if (to_v6) {
    if (type == icmp::v4::echo_request) return icmp::v6::echo_request;
    if (type == icmp::v4::echo_reply) return icmp::v6::echo_reply;
  } else {
    if (type == icmp::v6::echo_request) return icmp::v4::echo_request;
    if (type == icmp::v6::echo_reply) return icmp::v4::echo_reply;
  }
  return -1;
}

}  // namespace

bool update_transport(uint8_t proto, uint8_t* l4, uint32_t avail, const ChecksumDelta& d, bool partial) {
  if (partial) {
    const uint32_t at = proto == proto::tcp ? 16 : 6;
    store16(l4 + at, csum::update_partial(load16(l4 + at), d.old_addrs, d.new_addrs));
  } else if (proto == proto::tcp) {
    if (avail >= 18) store16(l4 + 16, csum::update(load16(l4 + 16), d.old_addrs, d.new_addrs));
  } else if (proto == proto::udp) {
    if (avail >= 8 && load16(l4 + 6) != 0) {
      const uint16_t ck = csum::update(load16(l4 + 6), d.old_addrs, d.new_addrs);
      store16(l4 + 6, ck ? ck : 0xffff);
    }
  } else if (proto == (d.to_v6 ? proto::icmp : proto::icmpv6)) {
    if (avail < 4) return false;
    const int t = echo_type(l4[0], d.to_v6);
    if (t < 0) return false;
    const uint32_t old_word = uint32_t(l4[0]) << 8 | l4[1];
    const uint32_t new_word = uint32_t(t) << 8 | l4[1];
    l4[0] = static_cast<uint8_t>(t);
    const uint32_t old_sum = d.to_v6 ? old_word : old_word + d.icmpv6_pseudo;
    const uint32_t new_sum = d.to_v6 ? new_word + d.icmpv6_pseudo : new_word;
    store16(l4 + 2, csum::update(load16(l4 + 2), old_sum, new_sum));
  }
  return true;
}

}  // namespace nat64
