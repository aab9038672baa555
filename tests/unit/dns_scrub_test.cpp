// CoreDNS's scrub writer (request/request.go, Scrub; RFC 6891).
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

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

namespace {

// A reply to `query` with the given TXT record lengths in the answer section and, when
// `reply_options` is set, an OPT of its own carrying them (as an upstream's reply would).
std::vector<uint8_t> reply_with_txt(const std::vector<uint8_t>& query,
                                    const std::vector<size_t>& lengths,
                                    const std::vector<uint8_t>* reply_options) {
  auto qv = parse(query);
  dns::Header h = qv.header();
  h.set(dns::Header::QR);
  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, h);
  b.add_question_from(qv);
  for (size_t len : lengths) {
    std::vector<uint8_t> rdata(len, 'x');
    rdata[0] = static_cast<uint8_t>(len - 1);
    b.add_record(dns::Section::answer, qv.question_name(), dns::type::TXT, dns::cls::IN, 60,
                 rdata);
  }
  if (reply_options) b.add_opt(4096, 0, 0, 0, *reply_options);
  b.finish();
  return out;
}

size_t records_without_opt(const dns::MessageView& v) {
  size_t n = size_t{v.header().ancount} + v.header().nscount + v.header().arcount;
  return v.opt() ? n - 1 : n;
}

}  // namespace

// RFC 6891 §7: a UDP reply never exceeds max(512, the client's size), whatever the options the
// client sent (echoed) or the upstream put in its OPT; records dropped means TC.
TEST_CASE("property: a scrubbed UDP reply fits the client's size and TC marks dropped records") {
  std::mt19937 rng(20261206);
  auto pick = [&](size_t lo, size_t hi) {
    return std::uniform_int_distribution<size_t>(lo, hi)(rng);
  };
  for (int iteration = 0; iteration < 5000; ++iteration) {
    testing::QueryOptions o;
    o.edns = pick(0, 9) != 0;
    o.udp_size = static_cast<uint16_t>(pick(0, 3) == 0 ? pick(0, 600) : pick(0, 4096));
    // Echoed options (COOKIE of a valid length, NSID, PADDING) and a dropped one (ECS).
    if (pick(0, 1)) o.options = option(dns::edns_option::COOKIE, std::vector<uint8_t>(8, 1));
    if (pick(0, 3) == 0) {
      auto nsid = option(dns::edns_option::NSID, {});
      o.options.insert(o.options.end(), nsid.begin(), nsid.end());
    }
    if (pick(0, 1)) {
      auto pad = option(dns::edns_option::PADDING, std::vector<uint8_t>(pick(0, 2000), 0));
      o.options.insert(o.options.end(), pad.begin(), pad.end());
    }
    if (pick(0, 3) == 0) {
      auto ecs = option(dns::edns_option::ECS, {0, 1, 24, 0, 192, 0, 2});
      o.options.insert(o.options.end(), ecs.begin(), ecs.end());
    }
    auto q = make_query("amplify.example.org", dns::type::TXT, o);
    std::vector<size_t> lengths(pick(0, 12));
    for (size_t& len : lengths) len = pick(1, 255);
    std::vector<uint8_t> upstream_options;
    const bool own_opt = pick(0, 2) == 0;
    if (own_opt) upstream_options = option(dns::edns_option::PADDING,
                                           std::vector<uint8_t>(pick(0, 1500), 0));
    auto before = reply_with_txt(q, lengths, own_opt ? &upstream_options : nullptr);
    const bool tcp = pick(0, 19) == 0;
    auto after = scrubbed(q, before, tcp);

    INFO("iteration " << iteration << ", size " << o.udp_size << ", edns " << o.edns
                      << ", query options " << o.options.size() << ", reply options "
                      << upstream_options.size() << ", records " << lengths.size()
                      << ", tcp " << tcp);
    auto qv = parse(q);
    auto v = parse(after);
    const size_t limit = tcp ? 65535 : std::max<size_t>(512, o.edns ? o.udp_size : 512);
    REQUIRE(after.size() <= limit);
    REQUIRE(v.header().ancount <= lengths.size());
    const bool dropped = v.header().ancount < lengths.size();
    CHECK(v.header().has(dns::Header::TC) == dropped);
    CHECK(records_without_opt(v) == v.header().ancount);
    if (qv.opt()) {
      REQUIRE(v.opt());
      CHECK(v.opt()->udp_size == o.udp_size);
    } else if (!own_opt) {
      CHECK_FALSE(v.opt());  // without EDNS in the query, only a reply's own OPT is passed on
    }
    // Options go before records: a reply that lost records carries none.
    if (dropped && v.opt()) CHECK(v.opt()->options.empty());
  }
}

TEST_CASE("a 500-byte option to a client with 512 bytes: the reply fits, without the option") {
  testing::QueryOptions o;
  o.edns = true;
  o.udp_size = 512;
  o.options = option(dns::edns_option::PADDING, std::vector<uint8_t>(500, 0));
  auto q = make_query("bigname.example", dns::type::TXT, o);
  auto r = scrubbed(q, reply_with_txt(q, std::vector<size_t>(20, 240), nullptr));
  auto v = parse(r);
  CHECK(r.size() <= 512);
  CHECK(v.header().has(dns::Header::TC));
  CHECK(v.header().ancount == 1);
  REQUIRE(v.opt());
  CHECK(v.opt()->options.empty());
}

TEST_CASE("records that fit once the options are left out are all kept, TC clear") {
  testing::QueryOptions o;
  o.edns = true;
  o.udp_size = 1232;
  o.options = option(dns::edns_option::PADDING, std::vector<uint8_t>(500, 0));
  auto q = make_query("example.org", dns::type::TXT, o);
  // About 830 bytes of records: with the 504-byte option over 1232, without it well under.
  auto r = scrubbed(q, reply_with_txt(q, {250, 250, 250}, nullptr));
  auto v = parse(r);
  CHECK(r.size() <= 1232);
  CHECK(v.header().ancount == 3);
  CHECK_FALSE(v.header().has(dns::Header::TC));
  REQUIRE(v.opt());
  CHECK(v.opt()->options.empty());
}

TEST_CASE("an NSID option with data is echoed as an empty one (RFC 5001 §2.3)") {
  testing::QueryOptions o;
  o.edns = true;
  o.options = option(dns::edns_option::NSID, {'h', 'e', 'l', 'l', 'o'});
  auto q = make_query("example.org", dns::type::A, o);
  auto r = scrubbed(q, reply_with_a_records(q, 1));
  auto v = parse(r);
  REQUIRE(v.opt());
  CHECK(std::vector<uint8_t>(v.opt()->options.begin(), v.opt()->options.end()) ==
        option(dns::edns_option::NSID, {}));
}

TEST_CASE("COOKIE lengths: 8 and 16 to 40 bytes are well formed (RFC 7873 §5.2.2)") {
  for (size_t len = 0; len <= 48; ++len) {
    testing::QueryOptions o;
    o.edns = true;
    o.options = option(dns::edns_option::COOKIE, std::vector<uint8_t>(len, 7));
    auto q = make_query("example.org", dns::type::A, o);
    auto qv = parse(q);
    INFO("length " << len);
    CHECK(dns::malformed_cookie(*qv.opt()) == !(len == 8 || (len >= 16 && len <= 40)));
  }
}

TEST_CASE("a malformed COOKIE is never echoed") {
  testing::QueryOptions o;
  o.edns = true;
  o.options = option(dns::edns_option::COOKIE, std::vector<uint8_t>(500, 0));
  auto q = make_query("example.org", dns::type::A, o);
  auto r = scrubbed(q, reply_with_a_records(q, 1));
  auto v = parse(r);
  REQUIRE(v.opt());
  CHECK(v.opt()->options.empty());
}

TEST_CASE("CD is copied from the query into the reply, set or clear (RFC 4035 §3.2.2)") {
  const auto header_of = [](const std::vector<uint8_t>& bytes) {
    return dns::Header::read(bytes.data());
  };
  const auto set_cd = [&](std::vector<uint8_t>& bytes, bool on) {
    dns::Header h = header_of(bytes);
    h.set(dns::Header::CD, on);
    h.write(bytes.data());
  };
  testing::QueryOptions o;
  o.flags = dns::Header::RD | dns::Header::CD;
  auto q = make_query("example.org", dns::type::A, o);
  auto reply = reply_with_a_records(q, 1);
  set_cd(reply, false);  // an authoritative upstream clears it
  CHECK(header_of(scrubbed(q, reply)).has(dns::Header::CD));
  auto big = reply_with_a_records(q, 100);
  set_cd(big, false);
  auto truncated = scrubbed(q, big);
  CHECK(header_of(truncated).has(dns::Header::TC));
  CHECK(header_of(truncated).has(dns::Header::CD));

  auto plain = make_query("example.org", dns::type::A);
  auto stray = reply_with_a_records(plain, 1);
  set_cd(stray, true);
  CHECK_FALSE(header_of(scrubbed(plain, stray)).has(dns::Header::CD));
}
