// The errors handler: its line for a failed query, consolidation, and that replies pass through
// untouched (CoreDNS's plugin/errors/errors.go).
#include <catch2/catch.hpp>

#include "plugins/errors/errors.h"
#include "core/util/regex.h"
#include "tests/support/handler_test.h"

using namespace coredns;
using namespace coredns::plugins::errors;

namespace {

struct Printed {
  std::vector<std::pair<log::Level, std::string>> lines;
  Consolidator::Printer printer() {
    return [this](log::Level l, std::string_view t) { lines.emplace_back(l, std::string(t)); };
  }
};

Response serve(Errors& h, const char* name, uint16_t qtype, Response answer) {
  auto q = testing::plain_query(name, qtype);
  Request req(q, Transport::udp, testing::endpoint("127.0.0.1", 5000),
              testing::endpoint("127.0.0.1", 53), nullptr);
  auto make = [&](const Request&) { return answer; };
  testing::Stub<decltype(make)> next(make);
  return testing::run(h, req, {&next});
}

}  // namespace

TEST_CASE("R12: a failed query gives RCODE NAME TYPE: ERROR at level ERROR") {
  Printed out;
  Errors h(nullptr, out.printer());
  auto q = testing::plain_query("Example.ORG.", dns::type::A);
  Request req(q, Transport::udp, testing::endpoint("127.0.0.1", 5000),
              testing::endpoint("127.0.0.1", 53), nullptr);
  Response r = testing::run(h, req);  // no next plugin
  REQUIRE(out.lines.size() == 1);
  CHECK(out.lines[0].first == log::Level::error);
  CHECK(out.lines[0].second == "2 example.org. A: plugin/errors: no next plugin found");
  CHECK(r.rcode == dns::rcode::SERVFAIL);
  CHECK_FALSE(r.written());
  CHECK(r.error == "plugin/errors: no next plugin found");
}

TEST_CASE("the numeric rcode and the type mnemonic, also for unknown types") {
  Printed out;
  Errors h(nullptr, out.printer());
  serve(h, "example.org.", 65280,
        Response::unwritten(dns::rcode::REFUSED, "plugin/forward: no healthy upstream"));
  serve(h, "example.org.", dns::type::AAAA, Response::unwritten(dns::rcode::NXDOMAIN, "x"));
  REQUIRE(out.lines.size() == 2);
  CHECK(out.lines[0].second == "5 example.org. TYPE65280: plugin/forward: no healthy upstream");
  CHECK(out.lines[1].second == "3 example.org. AAAA: x");
}

TEST_CASE("replies without an error pass through silently and unchanged") {
  Printed out;
  Errors h(nullptr, out.printer());
  Response r = serve(h, "example.org.", 1, Response::reply({1, 2, 3}, 0));
  CHECK(out.lines.empty());
  CHECK(r.wire == std::vector<uint8_t>{1, 2, 3});
}

TEST_CASE("F5/F6 in the handler: consolidated errors are counted, show_first at its level") {
  Printed out;
  std::vector<ConsolidateRule> rules(2);
  rules[0].period = std::chrono::hours(1);
  rules[0].pattern_text = "no next plugin";
  rules[0].pattern.emplace(rules[0].pattern_text);
  rules[0].level = log::Level::warning;
  rules[0].show_first = true;
  rules[1].period = std::chrono::hours(1);
  rules[1].pattern_text = "^plugin/forward";
  rules[1].pattern.emplace(rules[1].pattern_text);
  auto c = std::make_shared<Consolidator>(std::move(rules), out.printer());
  Errors h(c, out.printer());
  for (int i = 0; i < 3; ++i)
    serve(h, "example.org.", 1,
          Response::unwritten(dns::rcode::SERVFAIL, "plugin/log: no next plugin found"));
  serve(h, "example.org.", 1,
        Response::unwritten(dns::rcode::SERVFAIL, "plugin/forward: no healthy upstream"));
  serve(h, "example.org.", 1, Response::unwritten(dns::rcode::SERVFAIL, "other"));
  REQUIRE(out.lines.size() == 2);
  CHECK(out.lines[0].first == log::Level::warning);
  CHECK(out.lines[0].second == "2 example.org. A: plugin/log: no next plugin found");
  CHECK(out.lines[1].first == log::Level::error);
  CHECK(out.lines[1].second == "2 example.org. A: other");
  c->flush_and_stop();
  REQUIRE(out.lines.size() == 4);
  CHECK(out.lines[2].second == "3 errors like 'no next plugin' occurred in last 1h0m0s");
  CHECK(out.lines[3].second == "1 errors like '^plugin/forward' occurred in last 1h0m0s");
}
