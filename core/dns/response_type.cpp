#include "core/dns/response_type.h"

#include "core/dns/types.h"

namespace coredns::dns {
namespace {

// RRSIG RDATA: type covered (2), algorithm (1), labels (1), original TTL (4), expiration (4),
// inception (4), ...
constexpr size_t kExpirationOffset = 8;
constexpr size_t kInceptionOffset = 12;

bool has_expired_signature(const MessageView& reply, int64_t now_unix) {
  const auto msg = reply.bytes();
  for (int s = 0; s < 3; ++s) {
    for (const RecordView& rr : reply.records(static_cast<Section>(s))) {
      if (rr.type != type::RRSIG || rr.rdlength < kInceptionOffset + 4) continue;
      const uint8_t* rdata = msg.data() + rr.rdata_offset;
      if (!rrsig_valid_at(load32(rdata + kInceptionOffset), load32(rdata + kExpirationOffset),
                          now_unix))
        return true;
    }
  }
  return false;
}

}  // namespace

uint16_t full_rcode(const MessageView& reply) {
  uint16_t rc = reply.header().rcode();
  if (const OptView* opt = reply.opt()) rc = static_cast<uint16_t>(rc | (opt->ext_rcode << 4));
  return rc;
}

bool rrsig_valid_at(uint32_t inception, uint32_t expiration, int64_t now_unix) {
  const auto now = static_cast<uint32_t>(now_unix);
  // a <= b in serial arithmetic: b - a, as a signed 32-bit distance, is not negative.
  const auto serial_le = [](uint32_t a, uint32_t b) { return static_cast<int32_t>(b - a) >= 0; };
  return serial_le(inception, now) && serial_le(now, expiration);
}

ResponseType typify(const MessageView& reply, int64_t now_unix) {
  const Header& h = reply.header();
  if (h.opcode() == opcode::UPDATE) return ResponseType::update;
  if (h.opcode() == opcode::NOTIFY) return ResponseType::meta;
  if (reply.has_question()) {
    const uint16_t qt = reply.question().qtype;
    if (qt == type::AXFR || qt == type::IXFR) return ResponseType::meta;
  }
  const OptView* opt = reply.opt();
  if (opt && opt->do_bit() && has_expired_signature(reply, now_unix))
    return ResponseType::other_error;

  const uint16_t rc = full_rcode(reply);
  const bool answers = h.ancount > 0;
  if (answers && rc == rcode::NOERROR) return ResponseType::no_error;
  if (answers && rc == rcode::NXDOMAIN) return ResponseType::other_error;

  bool soa = false, ns = false;
  for (const RecordView& rr : reply.records(Section::authority)) {
    soa = soa || rr.type == type::SOA;
    ns = ns || rr.type == type::NS;
  }
  if (soa && rc == rcode::NOERROR) return ResponseType::no_data;
  if (rc == rcode::NXDOMAIN) return ResponseType::name_error;
  if (rc == rcode::SERVFAIL || rc == rcode::NOTIMP) return ResponseType::server_error;
  if (ns && rc == rcode::NOERROR) return ResponseType::delegation;
  if (rc == rcode::NOERROR) return ResponseType::no_error;
  return ResponseType::other_error;
}

ResponseClass classify(ResponseType t) {
  switch (t) {
    case ResponseType::no_error:
    case ResponseType::delegation:
      return ResponseClass::success;
    case ResponseType::name_error:
    case ResponseType::no_data:
      return ResponseClass::denial;
    default:
      return ResponseClass::error;
  }
}

}  // namespace coredns::dns
