// CoreDNS's scrub writer, spec §2.6 and test table §8.7 (X1-X9).
#include <catch2/catch.hpp>

#include "core/dns/scrub.h"
#include "dns_test_support.h"

using namespace coredns;
using coredns::testing::make_query;
using coredns::testing::parse;
using coredns::testing::reply_with_a_records;

namespace {

std::vector<uint8_t> scrubbed(const std::vector<uint8_t>& query, std::vector<uint8_t> reply,
                              bool tcp = false) {
  auto q = parse(query);
  dns::scrub_reply(reply, q, {.tcp = tcp, .extra_echoed_options = {}});
  return reply;
}

std::vector<uint8_t> option(uint16_t code, std::vector<uint8_t> data) {
  std::vector<uint8_t> o = {static_cast<uint8_t>(code >> 8), static_cast<uint8_t>(code),
                            static_cast<uint8_t>(data.size() >> 8),
                            static_cast<uint8_t>(data.size())};
  o.insert(o.end(), data.begin(), data.end());
  return o;
}

}  // namespace

TEST_CASE("X6: 100 answers to a UDP query without EDNS keep 30, TC set, 509 bytes") {
  auto q = make_query("example.org", dns::type::A);
  auto r = scrubbed(q, reply_with_a_records(q, 100));
  auto v = parse(r);
  CHECK(v.header().ancount == 30);
  CHECK(v.header().has(dns::Header::TC));
  CHECK(r.size() == 509);
  CHECK_FALSE(v.opt());
}

TEST_CASE("X7: with EDNS 1232, 74 answers plus the OPT, TC set, 1224 bytes") {
  testing::QueryOptions o;
  o.edns = true;
  o.udp_size = 1232;
  auto q = make_query("example.org", dns::type::A, o);
  auto r = scrubbed(q, reply_with_a_records(q, 100));
  auto v = parse(r);
  CHECK(v.header().ancount == 74);
  CHECK(v.header().has(dns::Header::TC));
  CHECK(r.size() == 1224);
  REQUIRE(v.opt());
  CHECK(v.opt()->udp_size == 1232);
}

TEST_CASE("X8: over TCP all 100 answers stay") {
  auto q = make_query("example.org", dns::type::A);
  auto r = scrubbed(q, reply_with_a_records(q, 100), true);
  auto v = parse(r);
  CHECK(v.header().ancount == 100);
  CHECK_FALSE(v.header().has(dns::Header::TC));
}

TEST_CASE("X9: a reply that fits is left alone") {
  auto q = make_query("example.org", dns::type::A);
  auto before = reply_with_a_records(q, 3);
  CHECK(scrubbed(q, before) == before);
}

TEST_CASE("X1: no OPT in the query, none added") {
  auto q = make_query("example.org", dns::type::A);
  auto r = scrubbed(q, reply_with_a_records(q, 1));
  CHECK_FALSE(parse(r).opt());
}

TEST_CASE("X2: the client's buffer size and DO are echoed") {
  testing::QueryOptions o;
  o.edns = true;
  o.udp_size = 4096;
  o.do_bit = true;
  auto q = make_query("example.org", dns::type::A, o);
  auto bytes = scrubbed(q, reply_with_a_records(q, 1));
  auto v = parse(bytes);
  REQUIRE(v.opt());
  CHECK(v.opt()->udp_size == 4096);
  CHECK(v.opt()->do_bit());
  CHECK(v.opt()->version == 0);
}

TEST_CASE("X3/X4: a cookie is echoed, ECS is not") {
  testing::QueryOptions o;
  o.edns = true;
  auto cookie = option(10, {1, 2, 3, 4, 5, 6, 7, 8});
  auto ecs = option(8, {0, 1, 24, 0, 192, 0, 2});
  o.options = ecs;
  o.options.insert(o.options.end(), cookie.begin(), cookie.end());
  auto q = make_query("example.org", dns::type::A, o);
  auto bytes = scrubbed(q, reply_with_a_records(q, 1));
  auto v = parse(bytes);
  REQUIRE(v.opt());
  CHECK(std::vector<uint8_t>(v.opt()->options.begin(), v.opt()->options.end()) == cookie);
}

TEST_CASE("X5: an advertised size below 512 truncates at 512 and is still echoed") {
  testing::QueryOptions o;
  o.edns = true;
  o.udp_size = 100;
  auto q = make_query("example.org", dns::type::A, o);
  auto r = scrubbed(q, reply_with_a_records(q, 100));
  auto v = parse(r);
  CHECK(r.size() <= 512);
  CHECK(v.header().has(dns::Header::TC));
  REQUIRE(v.opt());
  CHECK(v.opt()->udp_size == 100);
}

TEST_CASE("a reply's own OPT is normalised to the client's size, keeping its options") {
  testing::QueryOptions o;
  o.edns = true;
  o.udp_size = 1400;
  auto q = make_query("example.org", dns::type::A, o);
  // An upstream reply carrying an OPT with its own size and an NSID option.
  auto qv = parse(q);
  dns::Header h = qv.header();
  h.set(dns::Header::QR);
  std::vector<uint8_t> reply;
  dns::MessageBuilder b(reply, h);
  b.add_question_from(qv);
  uint8_t a[4] = {1, 2, 3, 4};
  b.add_record(dns::Section::answer, qv.question_name(), dns::type::A, dns::cls::IN, 5, a);
  auto nsid = option(3, {'n', 's'});
  b.add_opt(4096, 0, 0, 0, nsid);
  b.finish();
  auto bytes = scrubbed(q, reply);
  auto v = parse(bytes);
  REQUIRE(v.opt());
  CHECK(v.opt()->udp_size == 1400);
  CHECK(std::vector<uint8_t>(v.opt()->options.begin(), v.opt()->options.end()) == nsid);
  CHECK(v.header().ancount == 1);
  CHECK(v.header().arcount == 1);
}

TEST_CASE("an OPT in the middle of the additional section is removed cleanly") {
  testing::QueryOptions o;
  o.edns = true;
  auto q = make_query("example.org", dns::type::A, o);
  auto qv = parse(q);
  dns::Header h = qv.header();
  h.set(dns::Header::QR);
  std::vector<uint8_t> reply;
  dns::MessageBuilder b(reply, h);
  b.add_question_from(qv);
  b.add_opt(4096, 0, 0, 0, {});
  b.finish();
  // Append a glue A record after the OPT by hand (the builder keeps OPT last).
  auto v0 = parse(reply);
  std::vector<uint8_t> glue = {0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 7};
  reply.insert(reply.end(), glue.begin(), glue.end());
  reply[11] = 2;
  auto bytes = scrubbed(q, reply);
  auto v = parse(bytes);
  CHECK(v.header().arcount == 2);
  auto it = v.records(dns::Section::additional).begin();
  CHECK(it->type == dns::type::A);
  dns::Name owner;
  dns::read_name(v.bytes(), it->offset, &owner);
  CHECK(owner.to_text() == "example.org.");
  ++it;
  CHECK(it->type == dns::type::OPT);
  (void)v0;
}
