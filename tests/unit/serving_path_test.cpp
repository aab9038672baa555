// The serving path's shortcuts give what the long way gives: a name validated without being
// copied (skip_name), a query parsed once and moved onto the Request's copy (MessageView::rebase),
// names lowered eight octets at a time, recycled message buffers, and a scrub that trusts a
// `plain` reply (Response::plain) without parsing it, and an answer a handler gives at once
// (Task::ready) finished by the server as a coroutine's.
#include <catch2/catch.hpp>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "core/dns/buffers.h"
#include "core/dns/scrub.h"
#include "core/plugin/request.h"
#include "core/server/serve_query.h"
#include "dns_test_support.h"

using namespace coredns;
using coredns::testing::make_query;
using coredns::testing::name;
using coredns::testing::parse;
using coredns::testing::QueryOptions;
using coredns::testing::reply_with_a_records;

namespace {

// What admit() decides, and the reply it writes when it does not accept.
struct Admitted {
  bool accepted = false;
  bool replied = false;
  std::vector<uint8_t> reply;
  dns::MessageView view;
};

Admitted admit_query(const std::vector<uint8_t>& raw) {
  Admitted a;
  a.accepted = server::admit(raw, a.view, [&](std::vector<uint8_t> r) {
    a.replied = true;
    a.reply = std::move(r);
  });
  return a;
}

// The header of the FORMERR reply admit() must write instead of accepting `raw`.
dns::Header refused_with_formerr(const std::vector<uint8_t>& raw) {
  Admitted a = admit_query(raw);
  CHECK_FALSE(a.accepted);
  REQUIRE(a.replied);
  const auto h = dns::Header::read(a.reply.data());
  CHECK(h.rcode() == dns::rcode::FORMERR);
  return h;
}

std::vector<uint8_t> with_byte(std::vector<uint8_t> v, size_t at, uint8_t b) {
  v[at] = b;
  return v;
}

}  // namespace

TEST_CASE("skip_name agrees with read_name on valid and malformed names") {
  std::vector<uint8_t> msg(12, 0);
  const auto n = name("www.Example.org");
  msg.insert(msg.end(), n.wire().begin(), n.wire().end());
  const size_t ptr_at = msg.size();
  msg.push_back(0xC0);
  msg.push_back(16);  // "Example.org" inside the first name
  msg.push_back(0xC0);
  msg.push_back(static_cast<uint8_t>(msg.size() - 1));  // a pointer to itself
  std::vector<uint8_t> cut(12, 0);
  cut.push_back(5);
  cut.push_back('a');
  struct Case {
    const std::vector<uint8_t>* msg;
    size_t offset;
  };
  for (Case c : {Case{&msg, 12}, Case{&msg, ptr_at}, Case{&msg, ptr_at + 2}, Case{&cut, 12}}) {
    dns::Name read;
    size_t expanded = 99;
    const size_t end = dns::read_name(*c.msg, c.offset, &read);
    CHECK(dns::skip_name(*c.msg, c.offset, &expanded) == end);
    CHECK(expanded == (end == dns::kBadOffset ? 0 : read.size()));
  }
  size_t expanded = 0;
  CHECK(dns::skip_name(msg, ptr_at, &expanded) == ptr_at + 2);
  CHECK(expanded == name("example.org").size());
}

TEST_CASE("read_name leaves the name untouched when the wire is malformed") {
  std::vector<uint8_t> cut(12, 0);
  cut.insert(cut.end(), {3, 'a', 'b', 'c', 9, 'x'});
  dns::Name kept = name("keep.me");
  CHECK(dns::read_name(cut, 12, &kept) == dns::kBadOffset);
  CHECK(kept.to_text() == "keep.me.");
}

TEST_CASE("lowering a name changes exactly the octets A to Z, whatever their place") {
  // Every octet value, in labels of 63, so each lands in every lane of an eight-octet word.
  std::string text;
  for (int label = 0; label < 3; ++label) {
    if (label) text += '.';
    for (int i = 0; i < 63; ++i) {
      const int c = (label * 63 + i + 1) % 256;
      char esc[5];
      std::snprintf(esc, sizeof esc, "\\%03d", c);
      text += esc;
    }
  }
  dns::Name n;
  REQUIRE(dns::Name::from_text(text, n));
  const dns::Name low = n.lowered();
  REQUIRE(low.size() == n.size());
  for (size_t i = 0; i < n.size(); ++i) CHECK(low.data()[i] == dns::ascii_lower(n.data()[i]));
  for (size_t len : {1u, 7u, 8u, 9u, 15u, 16u, 17u}) {
    std::string label(len, 'Q');
    dns::Name short_name;
    REQUIRE(dns::Name::from_text(label + ".ZZ", short_name));
    CHECK(short_name.lowered().to_text() == std::string(len, 'q') + ".zz.");
  }
}

TEST_CASE("a Request from the server's parse equals one parsed from the bytes") {
  QueryOptions o;
  o.edns = true;
  o.do_bit = true;
  o.udp_size = 4096;
  o.options = {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8};  // a client cookie
  auto raw = make_query("WWW.Example.ORG", dns::type::AAAA, o);
  raw.insert(raw.end(), {0xde, 0xad});  // trailing bytes are not part of the message
  Admitted a = admit_query(raw);
  REQUIRE(a.accepted);
  Endpoint none;
  Request from_view(a.view, Transport::udp, none, none, nullptr);
  // The receive buffer is reused at once: the Request must not look at it any more.
  std::fill(raw.begin(), raw.end(), 0xEE);
  auto again = make_query("WWW.Example.ORG", dns::type::AAAA, o);
  Request from_bytes(again, Transport::udp, none, none, nullptr);
  CHECK(std::vector<uint8_t>(from_view.wire().begin(), from_view.wire().end()) == again);
  CHECK(from_view.qname() == from_bytes.qname());
  CHECK(from_view.qname().to_text() == "WWW.Example.ORG.");
  CHECK(from_view.qname_lower().to_text() == "www.example.org.");
  CHECK(from_view.qtype() == dns::type::AAAA);
  CHECK(from_view.do_bit());
  CHECK(from_view.size_limit() == 4096);
  REQUIRE(from_view.msg().opt());
  const auto opts = from_view.msg().opt()->options;
  CHECK(std::vector<uint8_t>(opts.begin(), opts.end()) == o.options);
  CHECK(opts.data() >= from_view.wire().data());
  CHECK(opts.data() + opts.size() <= from_view.wire().data() + from_view.wire().size());
}

TEST_CASE("malformed queries get from admit exactly what the checks give") {
  const auto q = make_query("example.org", dns::type::A);
  SECTION("a question cut short: FORMERR without a question") {
    std::vector<uint8_t> cut(q.begin(), q.begin() + 17);
    const auto h = refused_with_formerr(cut);
    CHECK(h.qdcount == 0);
  }
  SECTION("a question without its type and class: FORMERR") {
    std::vector<uint8_t> cut(q.begin(), q.end() - 3);
    refused_with_formerr(cut);
  }
  SECTION("a compression pointer in the question into the header: FORMERR") {
    std::vector<uint8_t> raw(q.begin(), q.begin() + 12);
    raw.insert(raw.end(), {0xC0, 0x04, 0, 1, 0, 1});
    refused_with_formerr(raw);
  }
  SECTION("a compression pointer pointing forward from the question: FORMERR") {
    std::vector<uint8_t> raw(q.begin(), q.begin() + 12);
    raw.insert(raw.end(), {0xC0, 0x10, 0, 1, 0, 1, 0});
    refused_with_formerr(raw);
  }
  SECTION("an OPT whose RDATA runs past the end: FORMERR with the question") {
    QueryOptions o;
    o.edns = true;
    auto raw = make_query("example.org", dns::type::A, o);
    raw = with_byte(raw, raw.size() - 1, 4);  // RDLENGTH 4, no RDATA
    const auto h = refused_with_formerr(raw);
    CHECK(h.qdcount == 1);
  }
  SECTION("two OPT records: FORMERR") {
    QueryOptions o;
    o.edns = true;
    auto raw = make_query("example.org", dns::type::A, o);
    std::vector<uint8_t> opt(raw.end() - 11, raw.end());
    raw.insert(raw.end(), opt.begin(), opt.end());
    raw[11] = 2;  // ARCOUNT
    refused_with_formerr(raw);
  }
  SECTION("a response is dropped without a reply") {
    Admitted a = admit_query(with_byte(q, 2, static_cast<uint8_t>(q[2] | 0x80)));
    CHECK_FALSE(a.accepted);
    CHECK_FALSE(a.replied);
  }
}

TEST_CASE("a plain reply is scrubbed as the parsed one would be") {
  QueryOptions edns;
  edns.edns = true;
  edns.udp_size = 1232;
  edns.options = {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8};
  QueryOptions cd;
  cd.flags = dns::Header::RD | dns::Header::CD;
  for (const QueryOptions& o : {QueryOptions{}, edns, cd}) {
    for (int answers : {1, 20, 100}) {
      for (bool tcp : {false, true}) {
        const auto query = make_query("example.org", dns::type::A, o);
        const auto q = parse(query);
        const auto reply = reply_with_a_records(query, answers);  // no OPT, no trailing bytes
        auto slow = reply, fast = reply;
        dns::scrub_reply(slow, q, {.tcp = tcp, .extra_echoed_options = {}});
        dns::scrub_reply(fast, q, {.tcp = tcp, .extra_echoed_options = {}}, true);
        CHECK(fast == slow);
      }
    }
  }
}

TEST_CASE("recycled buffers come back empty, and huge ones are not kept") {
  std::vector<uint8_t> v(300, 7);
  const uint8_t* storage = v.data();
  dns::give_back(std::move(v));
  std::vector<uint8_t> again = dns::take_buffer();
  CHECK(again.empty());
  CHECK(again.capacity() >= 300);
  CHECK(again.data() == storage);
  std::vector<uint8_t> big(70000);
  dns::give_back(std::move(big));
  CHECK(dns::take_buffer().capacity() < 70000);
}

namespace {

// The same answer written two ways: at once (Task::ready, no coroutine frame) or by a coroutine.
// `rcode` unwritten answers leave the reply to the server.
class Answerer : public Handler {
 public:
  Answerer(bool at_once, int records) : at_once_(at_once), records_(records) {}
  std::string_view name() const override { return "answerer"; }
  Task<Response> serve(Request& req, Next) override {
    if (at_once_) return Task<Response>::ready(answer(req));
    return later(req);
  }

 private:
  Response answer(const Request& req) const {
    if (records_ < 0) return Response::unwritten(dns::rcode::REFUSED);
    const std::vector<uint8_t> query(req.wire().begin(), req.wire().end());
    return Response::reply(reply_with_a_records(query, records_), dns::rcode::NOERROR);
  }
  Task<Response> later(Request& req) { co_return answer(req); }
  bool at_once_;
  int records_;
};

// A coroutine handler above: it awaits whatever Task the next handler returns.
class Passer : public Handler {
 public:
  std::string_view name() const override { return "passer"; }
  Task<Response> serve(Request& req, Next next) override { co_return co_await next(req); }
};

std::vector<uint8_t> served(bool at_once, bool passer, int records, uint16_t udp_size) {
  server::Block block;
  if (passer) block.handlers.push_back(std::make_shared<Passer>());
  block.handlers.push_back(std::make_shared<Answerer>(at_once, records));
  for (const auto& h : block.handlers) block.chain.push_back(h.get());
  server::Server srv{ListenAddress{"dns", "", "53"}};
  srv.add_zone(".", &block);
  QueryOptions o;
  o.edns = udp_size > 0;
  o.udp_size = udp_size;
  const auto q = make_query("www.example.org", dns::type::A, o);
  Request req(q, Transport::udp, Endpoint{}, Endpoint{}, &srv);
  std::optional<Response> out;
  async::spawn(srv.serve(req),
               [&](std::optional<Response> r, std::exception_ptr) { out = std::move(r); });
  REQUIRE(out);  // both ways finish before spawn returns: nothing here waits
  CHECK(out->scrubbed);
  return out->wire;
}

}  // namespace

TEST_CASE("an answer given at once is served as one written by a coroutine") {
  for (bool passer : {false, true})
    for (int records : {-1, 1, 40})  // REFUSED by the server, a small answer, one cut to 512
      for (uint16_t udp_size : {uint16_t{0}, uint16_t{1232}}) {
        CAPTURE(passer, records, udp_size);
        const auto at_once = served(true, passer, records, udp_size);
        REQUIRE_FALSE(at_once.empty());
        CHECK(at_once == served(false, passer, records, udp_size));
        const dns::MessageView v = parse(at_once);
        CHECK(v.header().rcode() == (records < 0 ? dns::rcode::REFUSED : dns::rcode::NOERROR));
        if (records == 40 && udp_size == 0) CHECK(v.header().has(dns::Header::TC));
      }
}
