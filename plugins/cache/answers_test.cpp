// Whether a reply really answers its question.
#include "plugins/cache/test_support.h"

#include "plugins/cache/answers.h"

using namespace cache_test;
using plugins::cache::answers_question;

namespace {

bool answers(const std::string& qname, uint16_t qtype, std::vector<RR> answer) {
  auto q = query_bytes(qname, qtype);
  Request req(q, Transport::udp, {}, {}, nullptr);
  Reply r;
  r.answer = std::move(answer);
  auto wire = r.build(req);
  dns::MessageView v;
  REQUIRE(v.parse(wire) == dns::MessageView::Error::none);
  return answers_question(v, req.qname_lower(), qtype, dns::cls::IN);
}

}  // namespace

TEST_CASE("answers: CNAME chains") {
  const uint16_t A = dns::type::A;
  // CNAME -> A, in either order.
  CHECK(answers("a.nl.", A, {cname("a.nl.", 60, "b.nl."), a("b.nl.", 60)}));
  CHECK(answers("a.nl.", A, {a("b.nl.", 60), cname("a.nl.", 60, "b.nl.")}));
  CHECK(answers("A.NL.", A, {cname("a.nl.", 60, "B.nl."), a("b.NL.", 60)}));
  // Dangling chains.
  CHECK_FALSE(answers("a.nl.", A, {cname("a.nl.", 60, "b.nl."), cname("b.nl.", 60, "c.nl.")}));
  CHECK_FALSE(answers("a.nl.", A, {cname("a.nl.", 60, "b.nl."), aaaa("b.nl.", 60)}));
  CHECK_FALSE(answers("a.nl.", A, {cname("a.nl.", 60, "b.nl."),
                                   rrsig("a.nl.", 60, dns::type::CNAME, 0, 0)}));
  // An A off the chain does not count.
  CHECK_FALSE(answers("a.nl.", A, {cname("a.nl.", 60, "b.nl."), a("c.nl.", 60)}));
  // Two different targets at one owner, in either order.
  CHECK_FALSE(answers("a.nl.", A, {cname("a.nl.", 60, "b.nl."), cname("a.nl.", 60, "c.nl."),
                                   a("b.nl.", 60), a("c.nl.", 60)}));
  CHECK_FALSE(answers("a.nl.", A, {cname("a.nl.", 60, "c.nl."), cname("a.nl.", 60, "b.nl."),
                                   a("b.nl.", 60), a("c.nl.", 60)}));
  // A loop, even with an A around.
  CHECK_FALSE(answers("a.nl.", A, {cname("a.nl.", 60, "b.nl."), cname("b.nl.", 60, "a.nl."),
                                   a("a.nl.", 60)}));
  // Identical duplicates are fine.
  CHECK(answers("a.nl.", A, {cname("a.nl.", 60, "b.nl."), cname("a.nl.", 60, "b.nl."),
                             a("b.nl.", 60)}));
}

TEST_CASE("answers: MX, CNAME and ANY questions") {
  CHECK_FALSE(answers("a.nl.", dns::type::MX, {cname("a.nl.", 60, "b.nl.")}));
  CHECK(answers("a.nl.", dns::type::MX, {cname("a.nl.", 60, "b.nl."), mx("b.nl.", 60, 1, "m.nl.")}));
  CHECK(answers("a.nl.", dns::type::CNAME, {cname("a.nl.", 60, "b.nl.")}));
  CHECK_FALSE(answers("a.nl.", dns::type::CNAME,
                      {cname("a.nl.", 60, "b.nl."), cname("a.nl.", 60, "c.nl.")}));
  CHECK(answers("a.nl.", dns::type::ANY, {cname("a.nl.", 60, "b.nl.")}));
  CHECK_FALSE(answers("a.nl.", dns::type::ANY, {a("b.nl.", 60)}));
  CHECK(answers("a.nl.", dns::type::A, {a("a.nl.", 60)}));
  CHECK_FALSE(answers("a.nl.", dns::type::A, {aaaa("a.nl.", 60)}));
}
