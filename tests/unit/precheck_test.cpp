// Pre-dispatch rules and core error replies (CoreDNS's core/dnsserver/server.go).
#include <catch2/catch.hpp>

#include "core/dns/error_reply.h"
#include "core/server/replies.h"
#include "dns_test_support.h"

using namespace coredns;
using coredns::server::Precheck;
using coredns::testing::make_query;
using coredns::testing::parse;

namespace {

Precheck check(const std::vector<uint8_t>& raw, std::vector<uint8_t>& reply) {
  dns::MessageView v;
  return server::precheck_query(raw, v, reply);
}

}  // namespace

TEST_CASE("W1/W2: short packets and responses are dropped") {
  std::vector<uint8_t> reply;
  auto q = make_query("example.org", dns::type::A);
  CHECK(check(std::vector<uint8_t>(q.begin(), q.begin() + 11), reply) == Precheck::drop);
  auto resp = q;
  resp[2] |= 0x80;
  CHECK(check(resp, reply) == Precheck::drop);
}

TEST_CASE("W3: UPDATE gets NOTIMP with its opcode and no question") {
  auto q = make_query("example.org", dns::type::SOA);
  q[2] = static_cast<uint8_t>((q[2] & 0x87) | (5 << 3));
  std::vector<uint8_t> reply;
  REQUIRE(check(q, reply) == Precheck::reply_ready);
  auto h = dns::Header::read(reply.data());
  CHECK(h.rcode() == dns::rcode::NOTIMP);
  CHECK(h.opcode() == 5);
  CHECK(h.has(dns::Header::QR));
  CHECK(h.qdcount == 0);
  CHECK(reply.size() == 12);
}

TEST_CASE("W4/W5/W6: wrong section counts get FORMERR with no question") {
  std::vector<uint8_t> reply;
  auto q = make_query("example.org", dns::type::A);
  auto none = std::vector<uint8_t>(q.begin(), q.begin() + 12);
  none[5] = 0;
  REQUIRE(check(none, reply) == Precheck::reply_ready);
  CHECK(dns::Header::read(reply.data()).rcode() == dns::rcode::FORMERR);
  CHECK(dns::Header::read(reply.data()).qdcount == 0);

  auto two = q;
  two[5] = 2;
  REQUIRE(check(two, reply) == Precheck::reply_ready);
  CHECK(dns::Header::read(reply.data()).rcode() == dns::rcode::FORMERR);

  auto ar3 = q;
  ar3[11] = 3;
  REQUIRE(check(ar3, reply) == Precheck::reply_ready);
  CHECK(dns::Header::read(reply.data()).rcode() == dns::rcode::FORMERR);
}

TEST_CASE("W7: a header promising a question it does not carry gets SERVFAIL") {
  auto q = make_query("example.org", dns::type::A);
  std::vector<uint8_t> hdr(q.begin(), q.begin() + 12);
  std::vector<uint8_t> reply;
  REQUIRE(check(hdr, reply) == Precheck::reply_ready);
  auto h = dns::Header::read(reply.data());
  CHECK(h.rcode() == dns::rcode::SERVFAIL);
  CHECK(h.qdcount == 0);
  CHECK(h.has(dns::Header::RD));
}

TEST_CASE("W8: a question cut mid-label gets FORMERR") {
  auto q = make_query("example.org", dns::type::A);
  std::vector<uint8_t> cut(q.begin(), q.begin() + 16);
  std::vector<uint8_t> reply;
  REQUIRE(check(cut, reply) == Precheck::reply_ready);
  CHECK(dns::Header::read(reply.data()).rcode() == dns::rcode::FORMERR);
}

TEST_CASE("W10: trailing junk after a valid query is accepted") {
  auto q = make_query("example.org", dns::type::A);
  q.insert(q.end(), {9, 9, 9, 9, 9});
  std::vector<uint8_t> reply;
  CHECK(check(q, reply) == Precheck::accept);
}

TEST_CASE("error replies echo the question and copy RD/CD, never RA") {
  testing::QueryOptions o;
  o.flags = dns::Header::RD | dns::Header::CD | dns::Header::AD;
  auto q = make_query("WwW.Example.org", dns::type::A, o);
  auto r = dns::error_reply(parse(q), dns::rcode::REFUSED);
  auto v = parse(r);
  CHECK(v.header().rcode() == dns::rcode::REFUSED);
  CHECK(v.header().has(dns::Header::RD));
  CHECK(v.header().has(dns::Header::CD));
  CHECK_FALSE(v.header().has(dns::Header::AD));
  CHECK_FALSE(v.header().has(dns::Header::RA));
  CHECK(v.question_name().to_text() == "WwW.Example.org.");
}

TEST_CASE("BADVERS: rcode 16 split between header and OPT, size 0") {
  testing::QueryOptions o;
  o.edns = true;
  o.version = 1;
  auto q = make_query("example.org", dns::type::A, o);
  auto r = server::badvers_reply(parse(q));
  auto v = parse(r);
  CHECK(v.header().rcode() == 0);
  REQUIRE(v.opt());
  CHECK(v.opt()->ext_rcode == 1);
  CHECK(v.opt()->udp_size == 0);
  CHECK(v.opt()->version == 0);
  CHECK(v.header().qdcount == 1);
}
