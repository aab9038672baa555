#include "plugins/dns64/ipv4only.h"

#include "core/dns/builder.h"
#include "core/dns/types.h"
#include "plugins/dns64/synthesis.h"

namespace coredns::plugins::dns64 {
namespace {

// One TTL for the whole local data: the RFC 6147 §5.1.7 bound for a synthesized AAAA with no
// SOA, so that clients that follow RFC 7050 §3 notice a changed prefix within ten minutes.
constexpr uint32_t kTtl = kTtlWithoutSoa;
constexpr uint8_t kWellKnownV4[2][4] = {{192, 0, 0, 170}, {192, 0, 0, 171}};

struct Zones {
  dns::Name ipv4only, ptr170, ptr171;
  Zones() {
    dns::Name::from_text("ipv4only.arpa.", ipv4only);
    dns::Name::from_text("170.0.0.192.in-addr.arpa.", ptr170);
    dns::Name::from_text("171.0.0.192.in-addr.arpa.", ptr171);
  }
};
const Zones& zones() {
  static const Zones z;
  return z;
}

const dns::Name* zone_of(const dns::Name& lower) {
  const Zones& z = zones();
  for (const dns::Name* apex : {&z.ipv4only, &z.ptr170, &z.ptr171})
    if (lower.is_subdomain_of(*apex)) return apex;
  return nullptr;
}

// SOA <zone> <zone> . 1 3600 1200 604800 600: the zone names its own server and, as BIND's
// built-in zones, "." as the contact.
void add_soa(dns::MessageBuilder& b, const dns::Name& zone) {
  uint8_t rdata[dns::kMaxNameLength + 1 + 20];
  size_t n = 0;
  for (uint8_t byte : zone.wire()) rdata[n++] = byte;
  rdata[n++] = 0;  // RNAME "."
  const uint32_t fields[5] = {1, 3600, 1200, 604800, kTtl};
  for (uint32_t f : fields) {
    dns::store32(rdata + n, f);
    n += 4;
  }
  b.add_record(dns::Section::authority, zone, dns::type::SOA, dns::cls::IN, kTtl, {rdata, n});
}

}  // namespace

bool is_ipv4only_name(const dns::Name& lower) { return zone_of(lower) != nullptr; }

LocalAnswer answer_ipv4only(const dns::MessageView& query, const dns::Name& lower,
                            const Prefix64* prefix) {
  const dns::Name& zone = *zone_of(lower);
  const dns::Name owner = query.question_name();
  const uint16_t qtype = query.question().qtype;
  LocalAnswer out{{}, dns::rcode::NOERROR, false};

  dns::Header h = recursive_reply_header(query);
  const bool apex = lower == zone;
  if (!apex) out.rcode = dns::rcode::NXDOMAIN;
  const bool is_ipv4only = &zone == &zones().ipv4only;
  const bool aaaa = apex && is_ipv4only && qtype == dns::type::AAAA && prefix;
  // Data served from the zone itself is authoritative; synthesized AAAA records are not.
  h.set(dns::Header::AA, !aaaa);
  h.set_rcode(out.rcode);
  dns::MessageBuilder b(out.wire, h);
  b.add_question_from(query);

  bool answered = false;
  if (apex && is_ipv4only && qtype == dns::type::A) {
    for (const auto& v4 : kWellKnownV4)
      b.add_record(dns::Section::answer, owner, dns::type::A, dns::cls::IN, kTtl, v4);
    answered = true;
  } else if (aaaa) {
    for (const auto& v4 : kWellKnownV4) {
      // Always synthesized, even with the Well-Known Prefix: this is how clients find it.
      const Ipv6 v6 = prefix->embed({v4[0], v4[1], v4[2], v4[3]});
      b.add_record(dns::Section::answer, owner, dns::type::AAAA, dns::cls::IN, kTtl, v6);
    }
    out.synthesized = answered = true;
  } else if (apex && !is_ipv4only && qtype == dns::type::PTR) {
    b.add_name_record(dns::Section::answer, owner, dns::type::PTR, dns::cls::IN, kTtl,
                      zones().ipv4only);
    answered = true;
  }
  if (!answered) add_soa(b, zone);
  b.finish();
  return out;
}

}  // namespace coredns::plugins::dns64
