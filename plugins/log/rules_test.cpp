// Parsing of the `log` directive: every accepted form and every error text (CoreDNS's
// plugin/log/setup.go and setup_test.go).
#include <catch2/catch.hpp>

#include "plugins/log/query_log.h"
#include "tests/support/plugin_setup.h"
#include "tests/unit/dns_test_support.h"

namespace coredns::plugins {
const PluginDef& plugin_log();
}

using namespace coredns;
using namespace coredns::plugins::querylog;

namespace {

testing::SetupRun setup(const std::string& body) {
  return testing::run_setup(plugins::plugin_log(), "log", body);
}

std::vector<Rule> rules(const std::string& body) {
  auto run = setup(body);
  INFO(run.error);
  REQUIRE(run.error.empty());
  REQUIRE(run.handlers.size() == 1);
  return run.handler<QueryLog>()->rules();
}

std::string first_format(const std::string& body) {
  auto r = rules(body);
  REQUIRE_FALSE(r.empty());
  std::string text;
  for (const auto& seg : r[0].format) text += seg.field == Field::literal ? seg.text : "#";
  return text;
}

dns::Name lower(const char* text) { return testing::name(text).lowered(); }

}  // namespace

TEST_CASE("log without arguments logs everything in the common format") {
  auto r = rules("log");
  REQUIRE(r.size() == 1);
  CHECK(r[0].name == ".");
  CHECK(r[0].classes == kAllClasses);
  CHECK(first_format("log") == first_format("log . {common}"));
}

TEST_CASE("G4 (quirk): a single argument is always a name, even {combined}") {
  auto r = rules("log {combined}");
  REQUIRE(r.size() == 1);
  CHECK(r[0].name == "{combined}.");
  CHECK(first_format("log {combined}") == first_format("log . {common}"));
  QueryLog h(r);
  CHECK(h.match(lower("example.org.")) == nullptr);
}

TEST_CASE("G5: a name is made fully qualified and matches itself and below, in any case") {
  auto r = rules("log Example.ORG");
  REQUIRE(r.size() == 1);
  CHECK(r[0].name == "Example.ORG.");
  QueryLog h(r);
  CHECK(h.match(lower("www.example.org.")) != nullptr);
  CHECK(h.match(lower("example.org.")) != nullptr);
  CHECK(h.match(lower("example.net.")) == nullptr);
  CHECK(h.match(lower("badexample.org.")) == nullptr);
}

TEST_CASE("several names share the format given last; without a brace all are names") {
  auto r = rules("log a.org b.org \"{name} {type}\"");
  REQUIRE(r.size() == 2);
  CHECK(r[0].name == "a.org.");
  CHECK(r[1].name == "b.org.");
  CHECK(first_format("log a.org b.org \"{name} {type}\"") == "# #");
  r = rules("log a.org b.org");
  REQUIRE(r.size() == 2);
  CHECK(r[1].name == "b.org.");
}

TEST_CASE("{combined} mixes with other text in a format") {
  CHECK(first_format("log . \"{combined} {local}\"") == first_format("log . {combined}") + " #");
}

TEST_CASE("G11: rules of several lines keep their order; the first covering rule wins") {
  auto r = rules("log example.org\nlog . {combined}");
  REQUIRE(r.size() == 2);
  QueryLog h(r);
  CHECK(h.match(lower("a.example.org.")) == &h.rules()[0]);
  CHECK(h.match(lower("x.net.")) == &h.rules()[1]);
}

TEST_CASE("class lists OR together and apply to every name of the line") {
  auto r = rules("log a.org b.org {\n class denial\n class error success\n}");
  REQUIRE(r.size() == 2);
  CHECK(r[0].classes == (kDenial | kError | kSuccess));
  CHECK(r[1].classes == r[0].classes);
  CHECK(rules("log {\n class denial\n}")[0].classes == kDenial);
  CHECK(rules("log . {\n class all\n}")[0].classes == kAllClasses);
  CHECK(rules("log . {common} {\n class error\n}")[0].classes == kError);
}

TEST_CASE("G8-G10: rejected blocks, with CoreDNS's texts") {
  CHECK(setup("log {\n class bogus\n}").error == "plugin/log: invalid Class: bogus");
  CHECK(setup("log {\n class\n}").error ==
        "plugin/log: Corefile:2 - Error during parsing: Wrong argument count or unexpected line "
        "ending after 'class'");
  CHECK(setup("log {\n foo\n}").error ==
        "plugin/log: Corefile:2 - Error during parsing: unknown property 'foo'");
  CHECK(setup("log {\n class denial Success\n}").error == "plugin/log: invalid Class: Success");
}
