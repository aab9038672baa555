// How replies are flattened for storing, and how a hit is built from the stored bytes.
#include "plugins/cache/test_support.h"

#include "plugins/cache/entry.h"
#include "plugins/cache/ttl.h"

using namespace cache_test;
using plugins::cache::clamp_ttl;
using plugins::cache::Entry;
using plugins::cache::flatten_reply;
using plugins::cache::HitTtl;
using plugins::cache::TtlRule;
using plugins::cache::render_hit;
using plugins::cache::smallest_ttl;

namespace {

std::vector<uint8_t> reply_for(const Request& req, const Reply& r) { return r.build(req); }

dns::MessageView parse(const std::vector<uint8_t>& wire) {
  dns::MessageView v;
  REQUIRE(v.parse(wire) == dns::MessageView::Error::none);
  return v;
}

}  // namespace

TEST_CASE("clamp: MINTTL first, then the maximum") {
  CHECK(clamp_ttl(1800, 300, 3600) == 1800);
  CHECK(clamp_ttl(299, 300, 3600) == 300);
  CHECK(clamp_ttl(299, 0, 3600) == 299);
  CHECK(clamp_ttl(3601, 300, 3600) == 3600);
  CHECK(clamp_ttl(10, 30, 20) == 20);  // MINTTL above the maximum: the maximum wins
}

TEST_CASE("smallest TTL: over all records but OPT, at most the maximum, 5 s without records") {
  auto q = query_bytes("example.org.", dns::type::A, {.do_bit = true});
  Request req(q, Transport::udp, {}, {}, nullptr);
  Reply r;
  r.answer = {cname("example.org.", 3600, "a.example.org."), a("a.example.org.", 60)};
  r.additional = {a("ns.example.org.", 30)};
  auto w = reply_for(req, r);
  CHECK(smallest_ttl(parse(w), 3600) == 30);
  r.additional.clear();
  w = reply_for(req, r);
  CHECK(smallest_ttl(parse(w), 3600) == 60);
  CHECK(smallest_ttl(parse(w), 20) == 20);
  Reply empty;
  w = reply_for(req, empty);  // only the OPT
  CHECK(smallest_ttl(parse(w), 3600) == 5);
}

TEST_CASE("flatten: OPT removed, every TTL the same, offsets point at them") {
  auto q = query_bytes("example.org.", dns::type::MX, {.do_bit = true});
  Request req(q, Transport::udp, {}, {}, nullptr);
  Reply r;
  r.answer = {mx("example.org.", 3601, 10, "mx1.example.org."),
              mx("example.org.", 300, 20, "mx2.example.org.")};
  r.authority = {ns("example.org.", 86400, "ns1.example.org.")};
  r.additional = {a("mx1.example.org.", 5)};
  auto wire = reply_for(req, r);
  auto view = parse(wire);
  REQUIRE(view.opt());
  std::vector<uint16_t> offsets;
  std::vector<uint32_t> kept;
  flatten_reply(wire, view, TtlRule{.flat = 42}, offsets, kept);
  CHECK(kept.empty());
  auto out = parse(wire);
  CHECK_FALSE(out.opt());
  CHECK(out.header().arcount == 1);
  CHECK(offsets.size() == 4);
  for (int s = 0; s < 3; ++s)
    for (const auto& rr : out.records(static_cast<dns::Section>(s))) CHECK(rr.ttl == 42);
  for (uint16_t off : offsets) CHECK(dns::load32(&wire[off]) == 42);
}

TEST_CASE("flatten: an OPT that is not last, or a compressed question, is rebuilt") {
  auto q = query_bytes("example.org.", dns::type::A);
  Request req(q, Transport::udp, {}, {}, nullptr);
  // Hand-made: question, one A, then OPT, then another A in additional.
  dns::Header h;
  h.id = 1;
  h.flags = dns::Header::QR;
  std::vector<uint8_t> wire;
  dns::MessageBuilder b(wire, h);
  b.add_question(name("example.org."), dns::type::A, dns::cls::IN);
  b.add_record(dns::Section::answer, name("example.org."), dns::type::A, dns::cls::IN, 9,
               std::vector<uint8_t>{1, 2, 3, 4});
  b.add_opt(4096, 0, 0, 0, {});
  b.add_record(dns::Section::additional, name("x.example.org."), dns::type::A, dns::cls::IN, 9,
               std::vector<uint8_t>{1, 2, 3, 5});
  b.finish();
  auto view = parse(wire);
  std::vector<uint16_t> offsets;
  std::vector<uint32_t> kept;
  flatten_reply(wire, view, TtlRule{.flat = 7}, offsets, kept);
  auto out = parse(wire);
  CHECK_FALSE(out.opt());
  CHECK(out.header().ancount == 1);
  CHECK(out.header().arcount == 1);
  REQUIRE(offsets.size() == 2);
  for (uint16_t off : offsets) CHECK(dns::load32(&wire[off]) == 7);
  CHECK(out.question_name().to_text() == "example.org.");
}

TEST_CASE("render: the query's ID, RD, CD and case; AA set; AD only for DO or AD clients") {
  auto q1 = query_bytes("mIEK.nL.", dns::type::MX, {.ad = true, .id = 7});
  Request first(q1, Transport::udp, {}, {}, nullptr);
  Reply r;
  r.flags |= dns::Header::AD;
  r.answer = {mx("mIEK.nL.", 100, 10, "mx.miek.nl.")};  // compressed against the question
  auto wire = reply_for(first, r);
  auto view = parse(wire);
  std::vector<uint16_t> offsets;
  std::vector<uint32_t> kept;
  flatten_reply(wire, view, TtlRule{.flat = 100}, offsets, kept);
  auto stored = Entry::make(wire, offsets, kept);
  const Entry& e = *stored;
  CHECK(std::equal(e.wire().begin(), e.wire().end(), wire.begin(), wire.end()));
  CHECK(e.ttl_offsets().size() == offsets.size());
  CHECK(e.record_ttls().empty());

  auto q2 = query_bytes("MIEK.NL.", dns::type::MX, {.cd = true, .id = 0xBEEF});
  Request second(q2, Transport::udp, {}, {}, nullptr);
  std::vector<uint8_t> out;
  render_hit(e, second, HitTtl{.ttl = 33}, out);
  auto v = parse(out);
  CHECK(v.header().id == 0xBEEF);
  CHECK(v.header().has(dns::Header::QR));
  CHECK(v.header().has(dns::Header::AA));
  CHECK(v.header().has(dns::Header::RA));
  CHECK(v.header().has(dns::Header::RD));
  CHECK(v.header().has(dns::Header::CD));
  CHECK_FALSE(v.header().has(dns::Header::AD));  // neither DO nor AD in this query
  CHECK(v.question_name().to_text() == "MIEK.NL.");
  for (const auto& rr : v.records(dns::Section::answer)) CHECK(rr.ttl == 33);
  // The answer's owner pointed at the question, so it follows the client's case too.
  dns::Name owner;
  dns::read_name(v.bytes(), v.records(dns::Section::answer).begin()->offset, &owner);
  CHECK(owner.to_text() == "MIEK.NL.");

  auto q3 = query_bytes("miek.nl.", dns::type::MX, {.do_bit = true});
  Request third(q3, Transport::udp, {}, {}, nullptr);
  render_hit(e, third, HitTtl{.ttl = 33}, out);
  CHECK(parse(out).header().has(dns::Header::AD));
  // Room for the client's OPT was reserved, so the scrub does not reallocate.
  CHECK(out.capacity() >= out.size() + 11);
}

TEST_CASE("flatten: with a per-record rule each record keeps its clamped TTL; SOA MINIMUM counts") {
  auto q = query_bytes("nx.example.org.", dns::type::A);
  Request req(q, Transport::udp, {}, {}, nullptr);
  Reply r;
  r.rcode = dns::rcode::NXDOMAIN;
  r.authority = {soa("example.org.", 1200, 300), ns("example.org.", 2, "ns.example.org.")};
  auto wire = reply_for(req, r);
  auto view = parse(wire);
  CHECK(smallest_ttl(view, 1800, true) == 2);
  CHECK(plugins::cache::record_ttl(view, *view.records(dns::Section::authority).begin(), true) ==
        300);
  CHECK(plugins::cache::record_ttl(view, *view.records(dns::Section::authority).begin(), false) ==
        1200);
  std::vector<uint16_t> offsets;
  std::vector<uint32_t> kept;
  flatten_reply(wire, view,
                TtlRule{.flat = 5, .per_record = true, .min = 5, .max = 1800, .soa_minimum = true},
                offsets, kept);
  CHECK(kept == std::vector<uint32_t>{300, 5});
  auto out = parse(wire);
  auto it = out.records(dns::Section::authority).begin();
  CHECK(it->ttl == 300);
  ++it;
  CHECK(it->ttl == 5);
}
