#include <catch2/catch.hpp>

#include "core/dns/builder.h"
#include "core/dns/message.h"
#include "dns_test_support.h"

using namespace coredns;
using coredns::testing::make_query;
using coredns::testing::name;
using coredns::testing::parse;

TEST_CASE("a query round-trips through builder and view") {
  testing::QueryOptions o;
  o.edns = true;
  o.do_bit = true;
  o.udp_size = 4096;
  o.options = {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8};  // COOKIE
  auto q = make_query("WwW.Example.org", dns::type::AAAA, o);
  auto v = parse(q);
  CHECK(v.header().id == 0x4242);
  CHECK(v.header().has(dns::Header::RD));
  REQUIRE(v.has_question());
  CHECK(v.question().qtype == dns::type::AAAA);
  CHECK(v.question().qclass == dns::cls::IN);
  CHECK(v.question_name().to_text() == "WwW.Example.org.");
  REQUIRE(v.opt());
  CHECK(v.opt()->udp_size == 4096);
  CHECK(v.opt()->do_bit());
  CHECK(v.opt()->options.size() == 12);
  CHECK(v.size() == q.size());
}

TEST_CASE("the builder compresses repeated names and counts the uncompressed size") {
  auto q = make_query("example.org", dns::type::A);
  auto r = testing::reply_with_a_records(q, 3);
  auto v = parse(r);
  // header 12 + question 17 + 3 x (pointer 2 + 10 + 4)
  CHECK(r.size() == 12 + 17 + 3 * 16);
  CHECK(v.uncompressed_size() == 12 + 17 + 3 * (13 + 10 + 4));
  int n = 0;
  for (const auto& rr : v.records(dns::Section::answer)) {
    dns::Name owner;
    dns::read_name(v.bytes(), rr.offset, &owner);
    CHECK(owner.to_text() == "example.org.");
    CHECK(rr.ttl == 300);
    ++n;
  }
  CHECK(n == 3);
}

TEST_CASE("compression keeps case byte-exact") {
  dns::Header h;
  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, h);
  b.add_question(name("WWW.example.org"), dns::type::A, dns::cls::IN);
  uint8_t a[4] = {1, 2, 3, 4};
  b.add_record(dns::Section::answer, name("www.example.org"), dns::type::A, dns::cls::IN, 1, a);
  b.finish();
  auto v = parse(out);
  dns::Name owner;
  dns::read_name(v.bytes(), v.records(dns::Section::answer).begin()->offset, &owner);
  CHECK(owner.to_text() == "www.example.org.");
  CHECK(v.question_name().to_text() == "WWW.example.org.");
}

TEST_CASE("copy_record decompresses names in RDATA and recompresses them") {
  dns::Header h;
  h.set(dns::Header::QR);
  std::vector<uint8_t> src;
  dns::MessageBuilder b(src, h);
  b.add_question(name("www.example.org"), dns::type::A, dns::cls::IN);
  b.add_name_record(dns::Section::answer, name("www.example.org"), dns::type::CNAME,
                    dns::cls::IN, 60, name("web.example.org"));
  uint8_t a[4] = {192, 0, 2, 1};
  b.add_record(dns::Section::answer, name("web.example.org"), dns::type::A, dns::cls::IN, 60, a);
  b.finish();
  auto sv = parse(src);

  std::vector<uint8_t> dst;
  dns::MessageBuilder d(dst, h);
  d.add_question(name("other.test"), dns::type::A, dns::cls::IN);
  for (const auto& rr : sv.records(dns::Section::answer)) d.copy_record(dns::Section::answer, sv.bytes(), rr, 5);
  d.finish();
  auto dv = parse(dst);
  auto it = dv.records(dns::Section::answer).begin();
  CHECK(it->type == dns::type::CNAME);
  CHECK(it->ttl == 5);
  dns::Name target;
  dns::read_name(dv.bytes(), it->rdata_offset, &target);
  CHECK(target.to_text() == "web.example.org.");
}

TEST_CASE("malformed messages are rejected, never read out of bounds") {
  auto q = make_query("example.org", dns::type::A);
  dns::MessageView v;
  CHECK(v.parse(std::span<const uint8_t>(q.data(), 11)) == dns::MessageView::Error::short_header);
  for (size_t cut = 12; cut < q.size(); ++cut)
    CHECK(v.parse(std::span<const uint8_t>(q.data(), cut)) == dns::MessageView::Error::bad_question);
  auto r = testing::reply_with_a_records(q, 2);
  for (size_t cut = q.size(); cut < r.size(); ++cut)
    CHECK(v.parse(std::span<const uint8_t>(r.data(), cut)) == dns::MessageView::Error::bad_record);
  // Trailing bytes after a complete message are ignored.
  auto padded = q;
  padded.insert(padded.end(), {1, 2, 3, 4, 5});
  REQUIRE(v.parse(padded) == dns::MessageView::Error::none);
  CHECK(v.size() == q.size());
}

TEST_CASE("two OPT records are malformed") {
  testing::QueryOptions o;
  o.edns = true;
  auto q = make_query("example.org", dns::type::A, o);
  std::vector<uint8_t> opt(q.end() - 11, q.end());
  q.insert(q.end(), opt.begin(), opt.end());
  q[11] = 2;  // ARCOUNT
  dns::MessageView v;
  CHECK(v.parse(q) == dns::MessageView::Error::multiple_opt);
}

TEST_CASE("mnemonics match CoreDNS's") {
  CHECK(dns::type_name(dns::type::AAAA) == "AAAA");
  CHECK(dns::type_name(65280) == "TYPE65280");
  CHECK(dns::class_name(dns::cls::CH) == "CH");
  CHECK(dns::class_name(42) == "CLASS42");
  CHECK(dns::rcode_name(dns::rcode::NXDOMAIN) == "NXDOMAIN");
  CHECK(dns::rcode_name(dns::rcode::BADVERS) == "BADVERS");
  uint16_t t = 0;
  CHECK(dns::parse_type("aaaa", t));
  CHECK(t == dns::type::AAAA);
  CHECK(dns::parse_type("TYPE99", t));
  CHECK(t == 99);
  CHECK_FALSE(dns::parse_type("BOGUS", t));
}
