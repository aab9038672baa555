// Kept replies (docs/architecture.md): the store (KeptReplies), the server's key for a UDP query
// (KeptReplyKey), and the server keeping a chain's reply and answering the same query with it.
#include <arpa/inet.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <optional>

#include "core/dns/wire.h"
#include "core/metrics/metrics.h"
#include "core/plugin/kept_replies.h"
#include "core/server/kept_replies_key.h"
#include "core/server/server.h"
#include "dns_test_support.h"

using namespace coredns;
using coredns::testing::make_query;
using coredns::testing::parse;
using coredns::testing::QueryOptions;
using coredns::testing::reply_with_a_records;
using server::KeptReplyKey;

namespace {

int64_t fake_now = 0;
int64_t fake_clock() { return fake_now; }
constexpr int64_t kSecond = 1'000'000'000;

std::span<const uint8_t> key_of(const char* text) {
  return {reinterpret_cast<const uint8_t*>(text), std::strlen(text)};
}

std::span<const uint8_t> question_name(const std::vector<uint8_t>& message) {
  const dns::MessageView v = parse(message);
  return v.bytes().subspan(v.question().name_offset, v.question().name_length);
}

std::vector<uint32_t> ttls(const std::vector<uint8_t>& message) {
  std::vector<uint32_t> out;
  const dns::MessageView v = parse(message);
  for (int s = 0; s < 3; ++s)
    for (const dns::RecordView& rr : v.records(static_cast<dns::Section>(s)))
      if (rr.type != dns::type::OPT) out.push_back(rr.ttl);
  return out;
}

// QueryOptions field by field (designated initializers would leave fields out, -Werror).
QueryOptions opts(uint16_t id, uint16_t flags = dns::Header::RD, bool edns = false,
                  uint16_t udp_size = 1232, bool do_bit = false, std::vector<uint8_t> options = {}) {
  QueryOptions o;
  o.id = id;
  o.flags = flags;
  o.edns = edns;
  o.udp_size = udp_size;
  o.do_bit = do_bit;
  o.options = std::move(options);
  return o;
}
constexpr uint16_t kId = 0x4242;
constexpr uint16_t kRd = dns::Header::RD;

// A key and the hash the UDP endpoint takes of the same query before parsing it.
struct Keyed {
  KeptReplyKey key;
  uint64_t hash;
};

std::optional<Keyed> key_for(const std::vector<uint8_t>& query, bool ipv4 = true) {
  Keyed k{{}, KeptReplyKey::hash_of(query, ipv4)};
  if (!k.key.make(parse(query), ipv4)) return std::nullopt;
  return k;
}

// Equal keys must hash alike; unequal ones may, rarely, but not in these tests.
bool same_key(const Keyed& a, const Keyed& b) {
  const bool same = a.key.size == b.key.size &&
                    std::memcmp(a.key.octets, b.key.octets, a.key.size) == 0;
  if (same) CHECK(a.hash == b.hash);
  else CHECK(a.hash != b.hash);
  return same;
}

}  // namespace

TEST_CASE("KeptReplies: a hit writes the asker's name and ages the TTLs until the life runs out") {
  fake_now = 100 * kSecond;
  KeptReplies store(&fake_clock);
  const auto q = make_query("www.example.org.", dns::type::A);
  const auto reply = reply_with_a_records(q, 2);  // TTL 300
  REQUIRE(store.keep(7, key_of("k"), reply, question_name(q), 60, false));

  fake_now += 25 * kSecond + kSecond / 2;
  const auto asker = make_query("WwW.ExAmple.ORG.", dns::type::A);
  std::vector<uint8_t> out;
  const auto hit = store.find(7, key_of("k"), question_name(asker), out);
  REQUIRE(hit);
  CHECK(hit->fresh_for == 35);
  CHECK(ttls(out) == std::vector<uint32_t>{275, 275});
  CHECK(parse(out).question_name() == parse(asker).question_name());  // the asker's case

  // A hash nothing is kept under is known from the bucket alone.
  store.prefetch(7);
  CHECK(store.prefetch_reply(7));
  CHECK_FALSE(store.prefetch_reply(8));
  // Another key or hash finds nothing; at the end of the life the reply is gone.
  CHECK_FALSE(store.find(7, key_of("j"), question_name(asker), out));
  CHECK_FALSE(store.find(8, key_of("k"), question_name(asker), out));
  fake_now += 35 * kSecond;
  CHECK_FALSE(store.find(7, key_of("k"), question_name(asker), out));
}

TEST_CASE("KeptReplies: the smallest TTL bounds the life, and no TTL a hit writes goes below 1") {
  fake_now = 0;
  KeptReplies store(&fake_clock);
  const auto q = make_query("example.org.", dns::type::A);
  auto reply = reply_with_a_records(q, 1);
  for (const dns::RecordView& rr : parse(reply).records(dns::Section::answer))
    dns::store32(reply.data() + rr.ttl_offset, 5);
  REQUIRE(store.keep(1, key_of("k"), reply, question_name(q), 60, false));
  std::vector<uint8_t> out;
  fake_now = 4 * kSecond;
  REQUIRE(store.find(1, key_of("k"), question_name(q), out));
  CHECK(ttls(out) == std::vector<uint32_t>{1});
  fake_now = 5 * kSecond;
  CHECK_FALSE(store.find(1, key_of("k"), question_name(q), out));
}

TEST_CASE("KeptReplies: an OPT is kept unaged, or cut off; TC and other names are not kept") {
  fake_now = 0;
  KeptReplies store(&fake_clock);
  const auto q = make_query("example.org.", dns::type::A, opts(kId, kRd, true));
  std::vector<uint8_t> reply;
  {
    const dns::MessageView v = parse(q);
    dns::Header h = v.header();
    h.set(dns::Header::QR);
    dns::MessageBuilder b(reply, h);
    b.add_question_from(v);
    const uint8_t addr[4] = {192, 0, 2, 1};
    b.add_record(dns::Section::answer, v.question_name(), dns::type::A, dns::cls::IN, 300, addr);
    b.add_opt(1232, 0, 0, 0, {});
    b.finish();
  }
  REQUIRE(store.keep(1, key_of("with"), reply, question_name(q), 60, false));
  REQUIRE(store.keep(1, key_of("cut"), reply, question_name(q), 60, true));
  fake_now = 10 * kSecond;
  std::vector<uint8_t> with, cut;
  REQUIRE(store.find(1, key_of("with"), question_name(q), with));
  REQUIRE(store.find(1, key_of("cut"), question_name(q), cut));
  REQUIRE(parse(with).opt());
  CHECK(parse(with).opt()->udp_size == 1232);
  CHECK(parse(with).opt()->ext_rcode == 0);
  CHECK_FALSE(parse(cut).opt());
  CHECK(parse(cut).header().arcount == 0);
  CHECK(ttls(with) == std::vector<uint32_t>{290});

  auto truncated = reply;
  truncated[2] |= 0x02;  // TC
  CHECK_FALSE(store.keep(1, key_of("tc"), truncated, question_name(q), 60, false));
  // Only under the reply's own question name (in any case): another name of the same length
  // would not keep the names that point into it.
  const auto same_length = make_query("example.net.", dns::type::A);
  const auto longer = make_query("www.example.org.", dns::type::A);
  CHECK_FALSE(store.keep(1, key_of("other"), reply, question_name(same_length), 60, false));
  CHECK_FALSE(store.keep(1, key_of("longer"), reply, question_name(longer), 60, false));
  const auto other_case = make_query("EXAMPLE.org.", dns::type::A);
  CHECK(store.keep(1, key_of("case"), reply, question_name(other_case), 60, false));
  CHECK_FALSE(store.keep(1, key_of("zero"), reply, question_name(q), 0, false));
}

TEST_CASE("KeptReplyKey: the query's octets but the ID, the name's case ignored, per family") {
  const auto a = key_for(make_query("www.example.org.", dns::type::A, opts(1)));
  const auto b = key_for(make_query("WWW.Example.ORG.", dns::type::A, opts(2)));
  REQUIRE(a);
  REQUIRE(b);
  CHECK(same_key(*a, *b));
  // Anything else that a reply may depend on tells keys apart.
  const auto v6 = key_for(make_query("www.example.org.", dns::type::A), false);
  const auto aaaa = key_for(make_query("www.example.org.", dns::type::AAAA));
  const auto no_rd = key_for(make_query("www.example.org.", dns::type::A, opts(kId, 0)));
  const auto cd = key_for(make_query("www.example.org.", dns::type::A,
                                     opts(kId, kRd | dns::Header::CD)));
  const auto edns = key_for(make_query("www.example.org.", dns::type::A, opts(kId, kRd, true)));
  const auto edns_do =
      key_for(make_query("www.example.org.", dns::type::A, opts(kId, kRd, true, 1232, true)));
  const auto small =
      key_for(make_query("www.example.org.", dns::type::A, opts(kId, kRd, true, 512)));
  for (const auto* other : {&v6, &aaaa, &no_rd, &cd, &edns, &edns_do, &small}) {
    REQUIRE(*other);
    CHECK_FALSE(same_key(*a, **other));
  }
  CHECK_FALSE(same_key(*edns, *edns_do));
  CHECK_FALSE(same_key(*edns, *small));
}

TEST_CASE("KeptReplyKey: only a query of the plain form has one") {
  // A cookie (RFC 7873) or any other option is the client's own.
  const std::vector<uint8_t> cookie = {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8};
  const auto with_cookie = opts(kId, kRd, true, 1232, false, cookie);
  CHECK_FALSE(key_for(make_query("example.org.", dns::type::A, with_cookie)));
  // A record in the answer section.
  auto q = make_query("example.org.", dns::type::A);
  auto with_answer = reply_with_a_records(q, 1);
  with_answer[2] &= 0x7F;  // a query again, QR clear
  CHECK_FALSE(key_for(with_answer));
}

namespace {

// A handler that answers every query itself with a fixed promise, as a cache hit does.
class Source : public Handler {
 public:
  explicit Source(uint32_t fresh_for) : fresh_for_(fresh_for) {}
  std::string_view name() const override { return "source"; }
  Reuse reply_reuse() const override { return Reuse::source; }
  Task<Response> serve(Request& req, Next) override {
    ++served;
    std::vector<uint8_t> q(req.msg().bytes().begin(), req.msg().bytes().end());
    Response r = Response::reply(reply_with_a_records(q, 1), dns::rcode::NOERROR, name());
    r.fresh_for = fresh_for_;
    r.on_reuse = {&hits};
    hits.inc();
    return Task<Response>::ready(std::move(r));
  }
  int served = 0;
  metrics::Counter hits;

 private:
  uint32_t fresh_for_;
};

class Marker : public Handler {
 public:
  explicit Marker(Reuse reuse) : reuse_(reuse) {}
  std::string_view name() const override { return "marker"; }
  Reuse reply_reuse() const override { return reuse_; }
  Task<Response> serve(Request& req, Next next) override { return next(req); }

 private:
  Reuse reuse_;
};

Endpoint client(bool ipv4) {
  sockaddr_in6 s6{};
  s6.sin6_family = AF_INET6;
  s6.sin6_port = htons(40000);
  sockaddr_in s4{};
  s4.sin_family = AF_INET;
  s4.sin_port = htons(40000);
  s4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  s6.sin6_addr = in6addr_loopback;
  return ipv4 ? Endpoint::from(reinterpret_cast<sockaddr*>(&s4))
              : Endpoint::from(reinterpret_cast<sockaddr*>(&s6));
}

struct Rig {
  explicit Rig(std::vector<std::shared_ptr<Handler>> handlers) {
    block.handlers = std::move(handlers);
    for (auto& h : block.handlers) block.chain.push_back(h.get());
    server.add_zone(".", &block);
  }
  // Serves `query` through the chain, then lets the server keep the reply, as serve_query does.
  Response ask(const std::vector<uint8_t>& query, Transport transport = Transport::udp,
               bool ipv4 = true) {
    Request req(query, transport, client(ipv4), client(ipv4), &server);
    std::optional<Response> out;
    async::spawn(server.serve(req), [&](std::optional<Response> r, std::exception_ptr) {
      out = std::move(r);
    });
    REQUIRE(out);
    server.keep(req, *out);
    return std::move(*out);
  }
  bool kept(const std::vector<uint8_t>& query, std::vector<uint8_t>& out, bool ipv4 = true) {
    const uint64_t hash = KeptReplyKey::hash_of(query, ipv4);
    server.prefetch_kept(hash);
    return server.answer_kept(parse(query), ipv4, hash, out);
  }
  server::Block block;
  server::Server server{ListenAddress{"dns", "", "53"}};
};

}  // namespace

TEST_CASE("the server answers a repeated query with the kept reply: ID, case, counters") {
  auto source = std::make_shared<Source>(60);
  Rig rig({std::make_shared<Marker>(Handler::Reuse::pass), source});
  const auto first = make_query("www.example.org.", dns::type::A, opts(1, kRd, true));
  std::vector<uint8_t> out;
  CHECK_FALSE(rig.kept(first, out));
  const Response served = rig.ask(first);
  CHECK(source->hits.value() == 1);

  const auto again = make_query("WWW.example.ORG.", dns::type::A, opts(2, kRd, true));
  REQUIRE(rig.kept(again, out));
  CHECK(source->served == 1);
  CHECK(source->hits.value() == 2);  // the chain's counter, bumped in its place
  const dns::MessageView v = parse(out);
  CHECK(v.header().id == 2);
  CHECK(v.question_name() == parse(again).question_name());
  // All else is the reply the chain gave (its TTLs unaged within the same second).
  std::vector<uint8_t> expected = served.wire;
  dns::store16(expected.data(), 2);
  std::memcpy(expected.data() + 12, out.data() + 12, v.question().name_length);
  CHECK(out == expected);

  // Not for another family, type or EDNS form.
  CHECK_FALSE(rig.kept(again, out, false));
  CHECK_FALSE(rig.kept(make_query("www.example.org.", dns::type::AAAA, opts(kId, kRd, true)), out));
  CHECK_FALSE(rig.kept(make_query("www.example.org.", dns::type::A), out));
}

TEST_CASE("the server keeps nothing that was not promised to everyone") {
  const auto q = make_query("www.example.org.", dns::type::A);
  std::vector<uint8_t> out;
  SECTION("no promise") {
    Rig rig({std::make_shared<Source>(0)});
    rig.ask(q);
    CHECK_FALSE(rig.kept(q, out));
  }
  SECTION("a handler that sees every query above the source (log, prometheus)") {
    Rig rig({std::make_shared<Marker>(Handler::Reuse::none), std::make_shared<Source>(60)});
    rig.ask(q);
    CHECK_FALSE(rig.kept(q, out));
  }
  SECTION("a gate above the source (acl)") {
    Rig rig({std::make_shared<Marker>(Handler::Reuse::gate), std::make_shared<Source>(60)});
    rig.ask(q);
    CHECK_FALSE(rig.kept(q, out));
  }
  SECTION("TCP") {
    Rig rig({std::make_shared<Source>(60)});
    rig.ask(q, Transport::tcp);
    CHECK_FALSE(rig.kept(q, out));
  }
  SECTION("the query of an IPv6 client serves IPv6 clients only") {
    Rig rig({std::make_shared<Source>(60)});
    rig.ask(q, Transport::udp, false);
    CHECK_FALSE(rig.kept(q, out, true));
    CHECK(rig.kept(q, out, false));
  }
}
