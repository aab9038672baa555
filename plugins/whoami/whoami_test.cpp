#include <catch2/catch.hpp>

#include "core/dns/builder.h"
#include "core/dns/message.h"
#include "plugins/whoami/whoami.h"
#include "tests/support/handler_test.h"

using namespace coredns;
using coredns::testing::endpoint;

namespace {

std::vector<uint8_t> query(const char* name, uint16_t qtype) {
  dns::Header h;
  h.id = 0x1234;
  h.set(dns::Header::RD);
  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, h);
  dns::Name n;
  dns::Name::from_text(name, n);
  b.add_question(n, qtype, dns::cls::IN);
  b.finish();
  return out;
}

}  // namespace

TEST_CASE("whoami answers an IPv4 client with A and _udp SRV, 91 bytes uncompressed") {
  auto q = query("example.org.", dns::type::A);
  Request req(q, Transport::udp, endpoint("127.0.0.1", 40212), endpoint("127.0.0.1", 53), nullptr);
  auto reply = plugins::whoami::build_reply(req);
  dns::MessageView v;
  REQUIRE(v.parse(reply) == dns::MessageView::Error::none);
  CHECK(v.header().id == 0x1234);
  CHECK(v.header().has(dns::Header::AA));
  CHECK(v.header().has(dns::Header::RD));
  CHECK_FALSE(v.header().has(dns::Header::RA));
  CHECK(v.header().ancount == 0);
  REQUIRE(v.header().arcount == 2);
  auto it = v.records(dns::Section::additional).begin();
  CHECK(it->type == dns::type::A);
  CHECK(it->ttl == 0);
  ++it;
  CHECK(it->type == dns::type::SRV);
  dns::Name owner;
  dns::read_name(v.bytes(), it->offset, &owner);
  CHECK(owner.to_text() == "_udp.example.org.");
  CHECK(dns::load16(&reply[it->rdata_offset + 4]) == 40212);
  CHECK(v.uncompressed_size() == 91);
}

TEST_CASE("whoami keeps the query name's case and uses AAAA and _tcp for IPv6 over TCP") {
  auto q = query("WwW.Example.ORG.", dns::type::AAAA);
  Request req(q, Transport::tcp, endpoint("::1", 5353), endpoint("::1", 53), nullptr);
  auto reply = plugins::whoami::build_reply(req);
  dns::MessageView v;
  REQUIRE(v.parse(reply) == dns::MessageView::Error::none);
  CHECK(v.question_name().to_text() == "WwW.Example.ORG.");
  auto it = v.records(dns::Section::additional).begin();
  CHECK(it->type == dns::type::AAAA);
  dns::Name owner;
  dns::read_name(v.bytes(), it->offset, &owner);
  CHECK(owner.to_text() == "WwW.Example.ORG.");
  ++it;
  dns::read_name(v.bytes(), it->offset, &owner);
  CHECK(owner.to_text() == "_tcp.WwW.Example.ORG.");
}

TEST_CASE("whoami for the root name uses _udp. as the SRV owner") {
  auto q = query(".", dns::type::NS);
  Request req(q, Transport::udp, endpoint("10.1.2.3", 1), endpoint("10.1.2.3", 53), nullptr);
  auto reply = plugins::whoami::build_reply(req);
  dns::MessageView v;
  REQUIRE(v.parse(reply) == dns::MessageView::Error::none);
  auto it = v.records(dns::Section::additional).begin();
  ++it;
  dns::Name owner;
  dns::read_name(v.bytes(), it->offset, &owner);
  CHECK(owner.to_text() == "_udp.");
}
