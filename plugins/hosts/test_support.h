#pragma once
// Asking a hosts table or handler in unit tests, answers as short text.
#include <arpa/inet.h>

#include <string>
#include <vector>

#include "core/dns/message.h"
#include "plugins/hosts/hosts.h"
#include "plugins/hosts/parse.h"
#include "tests/support/handler_test.h"

namespace coredns::plugins::hosts::testing {

inline dns::Name lname(const char* text) {
  dns::Name n;
  dns::Name::from_text(text, n);
  n.to_lower();
  return n;
}

inline Store build(const std::string& text, bool reverse = true,
                   const std::vector<std::string>& zones = {"."}) {
  StoreBuilder b(reverse);
  parse_hosts(text, ZoneSet(zones), b);
  return b.finish();
}

inline std::string v4_text(const uint8_t* a) {
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, a, buf, sizeof buf);
  return buf;
}

inline std::string v6_text(const uint8_t* a) {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, a, buf, sizeof buf);
  return buf;
}

// A name's addresses in one table: "127.0.0.2 127.0.0.3 | ::2" (exact entries only).
inline std::string addrs(const Store& s, const char* name) {
  const dns::Name n = lname(name);
  const Store::Entry e = s.find(n.wire());
  if (!e) return "-";
  const Store::Addresses a = s.addresses(e);
  std::string out;
  for (uint32_t i : a.v4) out += v4_text(s.v4(i)) + " ";
  out += "|";
  for (uint32_t i : a.v6) out += " " + v6_text(s.v6(i));
  return out;
}

// An address's names: "ullr. ullrhost.".
inline std::string names(const Store& s, const char* addr) {
  uint8_t a[16];
  std::span<const Store::Entry> list;
  if (inet_pton(AF_INET, addr, a) == 1)
    list = s.names_of_v4(a);
  else if (inet_pton(AF_INET6, addr, a) == 1)
    list = s.names_of_v6(a);
  std::string out;
  for (uint32_t e : list) {
    dns::Name n;
    dns::Name::from_wire(s.name_wire(e), n);
    out += (out.empty() ? "" : " ") + n.to_text();
  }
  return out;
}

// What the handler does with a query: "next", "SERVFAIL", or "NOERROR aa OWNER TTL TYPE DATA;..."
inline std::string ask(const Hosts& h, const char* qname, uint16_t qtype) {
  auto q = coredns::testing::plain_query(qname, qtype);
  Request req(q, Transport::udp, coredns::testing::endpoint("127.0.0.1", 4000),
              coredns::testing::endpoint("127.0.0.1", 53), nullptr);
  auto r = h.answer(req);
  if (!r) return "next";
  if (!r->written()) return r->rcode == dns::rcode::SERVFAIL ? "SERVFAIL" : "unwritten";
  dns::MessageView v;
  if (v.parse(r->wire) != dns::MessageView::Error::none) return "malformed";
  std::string out = v.header().rcode() == 0 ? "NOERROR" : "rcode";
  if (v.header().has(dns::Header::AA)) out += " aa";
  if (!(v.question_name() == req.qname())) out += " question-changed";
  for (const auto& rr : v.records(dns::Section::answer)) {
    dns::Name owner;
    dns::read_name(v.bytes(), rr.offset, &owner);
    out += " " + owner.to_text() + " " + std::to_string(rr.ttl) + " ";
    const uint8_t* d = &v.bytes()[rr.rdata_offset];
    if (rr.type == dns::type::A) {
      out += "A " + v4_text(d);
    } else if (rr.type == dns::type::AAAA) {
      out += "AAAA " + v6_text(d);
    } else if (rr.type == dns::type::PTR) {
      dns::Name t;
      dns::read_name(v.bytes(), rr.rdata_offset, &t);
      out += "PTR " + t.to_text();
    } else {
      out += "type" + std::to_string(rr.type);
    }
    out += ";";
  }
  if (v.header().nscount || v.header().arcount) out += " extra-sections";
  return out;
}

}  // namespace coredns::plugins::hosts::testing
