// The rules that decide whether an upstream's message answers a query (ID, question, the
// error replies without a question, echoes), and the stream framing that pipelined TCP
// connections read replies with.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/dns/builder.h"
#include "core/dns/types.h"
#include "plugins/forward/framing.h"
#include "plugins/forward/match.h"

using namespace coredns;
using namespace coredns::plugins::forward;

namespace {

std::vector<uint8_t> message(uint16_t id, const char* qname, uint16_t qtype, bool response,
                             uint8_t rcode = 0, uint16_t qclass = dns::cls::IN) {
  dns::Header h;
  h.id = id;
  h.set(dns::Header::QR, response);
  h.flags = static_cast<uint16_t>(h.flags | rcode);
  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, h);
  if (qname) {
    dns::Name n;
    REQUIRE(dns::Name::from_text(qname, n));
    b.add_question(n, qtype, qclass);
  }
  b.finish();
  return out;
}

}  // namespace

TEST_CASE("a reply with our ID and question is the answer, whatever the case of the name") {
  const auto q = message(0x1234, "Www.Example.ORG.", dns::type::A, false);
  CHECK(match_reply(q, message(0x1234, "www.example.org.", dns::type::A, true)) == Match::answer);
  CHECK(match_reply(q, message(0x1234, "WWW.EXAMPLE.ORG.", dns::type::A, true, 3)) == Match::answer);
  CHECK(match_reply(q, message(0x1234, "www.example.org.", dns::type::A, true, 2)) == Match::answer);
}

TEST_CASE("a reply with another ID is not ours to take") {
  const auto q = message(0x1234, "www.example.org.", dns::type::A, false);
  CHECK(match_reply(q, message(0x1235, "www.example.org.", dns::type::A, true)) == Match::ignore);
  CHECK(match_reply(q, message(0x3412, nullptr, 0, true, 1)) == Match::ignore);
}

TEST_CASE("our ID with another question fails the attempt") {
  const auto q = message(7, "www.example.org.", dns::type::A, false);
  CHECK(match_reply(q, message(7, "other.example.org.", dns::type::A, true)) == Match::mismatch);
  CHECK(match_reply(q, message(7, "www.example.org.", dns::type::AAAA, true)) == Match::mismatch);
  CHECK(match_reply(q, message(7, "www.example.org.", dns::type::A, true, 0, dns::cls::CH)) ==
        Match::mismatch);
  CHECK(match_reply(q, message(7, "www.example.or.", dns::type::A, true)) == Match::mismatch);
}

TEST_CASE("our query echoed back is no answer and fails the attempt") {
  const auto q = message(9, "www.example.org.", dns::type::A, false);
  CHECK(match_reply(q, q) == Match::mismatch);
}

TEST_CASE("a reply without a question is final only with an error rcode") {
  const auto q = message(42, "www.example.org.", dns::type::A, false);
  for (uint8_t rc : {1, 2, 4, 5, 9})  // FORMERR, SERVFAIL, NOTIMP, REFUSED, NOTAUTH
    CHECK(match_reply(q, message(42, nullptr, 0, true, rc)) == Match::answer);
  // NOERROR or NXDOMAIN without the question says nothing about our query.
  CHECK(match_reply(q, message(42, nullptr, 0, true, 0)) == Match::ignore);
  CHECK(match_reply(q, message(42, nullptr, 0, true, 3)) == Match::ignore);
  // Not a response at all.
  CHECK(match_reply(q, message(42, nullptr, 0, false, 1)) == Match::ignore);
}

TEST_CASE("short, empty and odd datagrams are ignored") {
  const auto q = message(42, "www.example.org.", dns::type::A, false);
  CHECK(match_reply(q, {}) == Match::ignore);
  const std::vector<uint8_t> shorter = {0, 42, 0x80, 0};
  CHECK(match_reply(q, shorter) == Match::ignore);
  // A header that claims two questions.
  auto two = message(42, "www.example.org.", dns::type::A, true);
  two[5] = 2;
  CHECK(match_reply(q, two) == Match::ignore);
  // A question cut short, and one whose name is a compression pointer.
  auto cut = message(42, "www.example.org.", dns::type::A, true);
  cut.resize(cut.size() - 3);
  CHECK(match_reply(q, cut) == Match::mismatch);
  auto pointer = message(42, nullptr, 0, true);
  pointer[5] = 1;
  for (uint8_t b : {0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01}) pointer.push_back(b);
  CHECK(match_reply(q, pointer) == Match::mismatch);
}

TEST_CASE("frames come out whole whatever the pieces the stream delivers") {
  std::vector<uint8_t> wire;
  const auto a = message(1, "a.example.", dns::type::A, true);
  const auto b = message(2, "b.example.", dns::type::AAAA, true);
  append_frame(wire, a);
  append_frame(wire, b);
  REQUIRE(wire.size() == a.size() + b.size() + 4);

  for (size_t piece : {size_t{1}, size_t{2}, size_t{3}, size_t{7}, wire.size()}) {
    FrameDecoder d;
    std::vector<std::vector<uint8_t>> got;
    for (size_t off = 0; off < wire.size(); off += piece) {
      const size_t n = std::min(piece, wire.size() - off);
      d.feed(std::span<const uint8_t>(wire.data() + off, n),
             [&](std::span<const uint8_t> m) { got.emplace_back(m.begin(), m.end()); });
    }
    REQUIRE(got.size() == 2);
    CHECK(got[0] == a);
    CHECK(got[1] == b);
    CHECK(d.pending() == 0);
  }
}

TEST_CASE("a partial frame is held until the rest arrives; an empty frame is a message") {
  FrameDecoder d;
  std::vector<size_t> sizes;
  auto count = [&](std::span<const uint8_t> m) { sizes.push_back(m.size()); };
  const std::vector<uint8_t> first = {0x00, 0x05, 1, 2};
  d.feed(first, count);
  CHECK(sizes.empty());
  CHECK(d.pending() == 4);
  const std::vector<uint8_t> rest = {3, 4, 5, 0x00, 0x00, 0x00};
  d.feed(rest, count);
  CHECK(sizes == std::vector<size_t>{5, 0});
  CHECK(d.pending() == 1);
}

TEST_CASE("pipelined replies are matched by ID, in any order") {
  // Two queries in flight on one connection; the replies come back in reverse order, and each
  // one matches only its own query.
  const auto q1 = message(100, "one.example.", dns::type::A, false);
  const auto q2 = message(200, "two.example.", dns::type::A, false);
  std::vector<uint8_t> wire;
  append_frame(wire, message(200, "two.example.", dns::type::A, true));
  append_frame(wire, message(100, "one.example.", dns::type::A, true));
  FrameDecoder d;
  std::vector<std::string> order;
  d.feed(wire, [&](std::span<const uint8_t> m) {
    if (match_reply(q1, m) == Match::answer) order.push_back("one");
    if (match_reply(q2, m) == Match::answer) order.push_back("two");
  });
  CHECK(order == std::vector<std::string>{"two", "one"});
}
