#include <catch2/catch.hpp>

#include "core/dns/reply.h"
#include "core/dns/types.h"
#include "tests/unit/dns_test_support.h"

using namespace coredns;
using namespace coredns::testing;

namespace {

std::vector<uint8_t> build(const std::vector<uint8_t>& query, uint16_t info_code) {
  dns::MessageView q = parse(query);
  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, dns::reply_header(q));
  b.add_question_from(q);
  dns::add_reply_opt(b, q, dns::ede_option(info_code));
  b.finish();
  return out;
}

}  // namespace

TEST_CASE("reply_header copies ID and opcode, RD and CD for a QUERY, and sets only QR") {
  // miekg/dns's SetReply, which CoreDNS's replies start from: RD and CD only for opcode QUERY.
  QueryOptions o;
  o.id = 0xBEEF;
  o.flags = dns::Header::RD | dns::Header::CD | dns::Header::AD;
  const auto query = make_query("example.org.", dns::type::A, o);
  dns::Header h = dns::reply_header(parse(query));
  CHECK(h.id == 0xBEEF);
  CHECK(h.opcode() == dns::opcode::QUERY);
  CHECK(h.flags == (dns::Header::QR | dns::Header::RD | dns::Header::CD));

  o.flags = dns::Header::RD | dns::Header::CD | dns::Header::AD | (4 << 11);  // NOTIFY
  const auto notify = make_query("example.org.", dns::type::A, o);
  h = dns::reply_header(parse(notify));
  CHECK(h.opcode() == dns::opcode::NOTIFY);
  CHECK(h.flags == (dns::Header::QR | (4 << 11)));
}

TEST_CASE("ede_option encodes code 15, length, info-code and extra text (RFC 8914 section 2)") {
  CHECK(dns::ede_option(dns::ede::BLOCKED) == std::vector<uint8_t>{0, 15, 0, 2, 0, 15});
  CHECK(dns::ede_option(dns::ede::FILTERED, "ad") ==
        std::vector<uint8_t>{0, 15, 0, 4, 0, 17, 'a', 'd'});
}

TEST_CASE("add_reply_opt gives an EDNS client the EDE with its own DO bit") {
  QueryOptions o;
  o.edns = true;
  o.do_bit = true;
  auto with_do = build(make_query("example.org.", dns::type::A, o), dns::ede::BLOCKED);
  dns::MessageView v = parse(with_do);
  REQUIRE(v.opt() != nullptr);
  CHECK(v.opt()->do_bit());
  CHECK(std::vector<uint8_t>(v.opt()->options.begin(), v.opt()->options.end()) ==
        dns::ede_option(dns::ede::BLOCKED));

  o.do_bit = false;
  auto without_do = build(make_query("example.org.", dns::type::A, o), dns::ede::BLOCKED);
  dns::MessageView w = parse(without_do);
  REQUIRE(w.opt() != nullptr);
  CHECK_FALSE(w.opt()->do_bit());
}

TEST_CASE("add_reply_opt adds no OPT for a client that sent none (RFC 6891 section 7)") {
  auto reply = build(make_query("example.org.", dns::type::A), dns::ede::BLOCKED);
  dns::MessageView v = parse(reply);
  CHECK(v.opt() == nullptr);
  CHECK(v.header().arcount == 0);
}
