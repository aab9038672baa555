// CoreDNS's response classification (plugin/pkg/response/typify.go; log's class
// filter).
#include <catch2/catch.hpp>

#include "core/dns/response_type.h"
#include "dns_test_support.h"

using namespace coredns;
using coredns::testing::make_query;
using coredns::testing::name;
using coredns::testing::parse;

namespace {

constexpr int64_t kNow = 1'700'000'000;

struct Reply {
  uint16_t rcode = 0;
  uint8_t opcode = 0;
  uint16_t qtype = dns::type::A;
  bool answer = false;
  uint16_t authority = 0;  // SOA or NS
  bool do_bit = false;
  int64_t sig_inception = 0, sig_expiration = 0;  // an RRSIG in answer when expiration != 0
};

std::vector<uint8_t> build(const Reply& r) {
  dns::Header h;
  h.set(dns::Header::QR);
  h.set_opcode(r.opcode);
  h.set_rcode(r.rcode & 0xF);
  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, h);
  b.add_question(name("example.org."), r.qtype, dns::cls::IN);
  const uint8_t a[4] = {192, 0, 2, 1};
  if (r.answer) b.add_record(dns::Section::answer, name("example.org."), dns::type::A, 1, 60, a);
  if (r.sig_expiration) {
    std::vector<uint8_t> sig(18 + 13, 0);
    dns::store32(&sig[8], static_cast<uint32_t>(r.sig_expiration));
    dns::store32(&sig[12], static_cast<uint32_t>(r.sig_inception));
    b.add_record(dns::Section::answer, name("example.org."), dns::type::RRSIG, 1, 60, sig);
  }
  if (r.authority == dns::type::SOA)
    b.add_record(dns::Section::authority, name("org."), dns::type::SOA, 1, 60,
                 std::vector<uint8_t>(22, 0));
  if (r.authority == dns::type::NS)
    b.add_name_record(dns::Section::authority, name("example.org."), dns::type::NS, 1, 60,
                      name("ns.example.org."));
  if (r.do_bit || r.rcode > 15)
    b.add_opt(1232, static_cast<uint8_t>(r.rcode >> 4), 0, r.do_bit ? 0x8000 : 0, {});
  b.finish();
  return out;
}

dns::ResponseType type_of(const Reply& r) {
  auto wire = build(r);
  return dns::typify(parse(wire), kNow);
}

}  // namespace

TEST_CASE("response types in CoreDNS's order of checks") {
  using T = dns::ResponseType;
  CHECK(type_of({.answer = true}) == T::no_error);
  CHECK(type_of({}) == T::no_error);
  CHECK(type_of({.authority = dns::type::SOA}) == T::no_data);
  CHECK(type_of({.authority = dns::type::NS}) == T::delegation);
  CHECK(type_of({.answer = true, .authority = dns::type::SOA}) == T::no_error);
  CHECK(type_of({.rcode = 3, .authority = dns::type::SOA}) == T::name_error);
  CHECK(type_of({.rcode = 3}) == T::name_error);
  CHECK(type_of({.rcode = 3, .answer = true}) == T::other_error);
  CHECK(type_of({.rcode = 2}) == T::server_error);
  CHECK(type_of({.rcode = 4}) == T::server_error);
  CHECK(type_of({.rcode = 5}) == T::other_error);
  CHECK(type_of({.rcode = 1}) == T::other_error);
  CHECK(type_of({.rcode = 16}) == T::other_error);
  CHECK(type_of({.opcode = 5}) == T::update);
  CHECK(type_of({.opcode = 4}) == T::meta);
  CHECK(type_of({.qtype = dns::type::AXFR, .answer = true}) == T::meta);
  CHECK(type_of({.qtype = dns::type::IXFR}) == T::meta);
}

TEST_CASE("an expired or not yet valid signature is an error only when DO is set") {
  using T = dns::ResponseType;
  const Reply valid{.answer = true, .do_bit = true, .sig_inception = kNow - 10,
                    .sig_expiration = kNow + 10};
  CHECK(type_of(valid) == T::no_error);
  Reply expired = valid;
  expired.sig_expiration = kNow - 1;
  CHECK(type_of(expired) == T::other_error);
  Reply future = valid;
  future.sig_inception = kNow + 100;
  CHECK(type_of(future) == T::other_error);
  expired.do_bit = false;
  CHECK(type_of(expired) == T::no_error);
}

TEST_CASE("RRSIG validity uses serial arithmetic across the 32-bit wrap") {
  const int64_t after_2106 = (int64_t{1} << 32) + 100;
  CHECK(dns::rrsig_valid_at(0xFFFFFF00u, 200, after_2106));
  CHECK_FALSE(dns::rrsig_valid_at(0xFFFFFF00u, 50, after_2106));
}

TEST_CASE("classes: success, denial, error") {
  using T = dns::ResponseType;
  using C = dns::ResponseClass;
  CHECK(dns::classify(T::no_error) == C::success);
  CHECK(dns::classify(T::delegation) == C::success);
  CHECK(dns::classify(T::name_error) == C::denial);
  CHECK(dns::classify(T::no_data) == C::denial);
  for (T t : {T::server_error, T::other_error, T::meta, T::update})
    CHECK(dns::classify(t) == C::error);
}

TEST_CASE("the full rcode includes the OPT's extended bits") {
  auto wire = build({.rcode = 16});
  CHECK(dns::full_rcode(parse(wire)) == 16);
}
