// Parsing of the `errors` directive: accepted forms and every error text (CoreDNS's
// plugin/errors/setup.go and setup_test.go).
#include <catch2/catch.hpp>

#include "plugins/errors/config.h"
#include "plugins/errors/errors.h"
#include "core/util/regex.h"
#include "tests/support/plugin_setup.h"

namespace coredns::plugins {
const PluginDef& plugin_errors();
}

using namespace coredns;
using namespace coredns::plugins::errors;

namespace {

testing::SetupRun setup(const std::string& body) {
  return testing::run_setup(plugins::plugin_errors(), "errors", body);
}

std::string error_of(const std::string& body) { return setup(body).error; }

ErrorsConfig config(const std::string& body) {
  corefile::Dispenser d(corefile::lex(body), "Corefile");
  return parse_config(d);
}

}  // namespace

TEST_CASE("F2: errors with no argument or stdout adds the handler") {
  for (const char* body : {"errors", "errors stdout", "errors {\n}", "errors stdout {\n}"}) {
    auto run = setup(body);
    INFO(body);
    CHECK(run.error.empty());
    CHECK(run.handler<Errors>() != nullptr);
    CHECK_FALSE(run.block.stacktrace);
    CHECK(run.lifecycle.shutdown.empty());
  }
}

TEST_CASE("F1, F2, F3: rejected lines, with CoreDNS's texts") {
  CHECK(error_of("errors\nerrors") ==
        "plugin/errors: this plugin can only be used once per Server Block");
  CHECK(error_of("errors errors.txt") ==
        "plugin/errors: Corefile:1 - Error during parsing: invalid log file: errors.txt");
  CHECK(error_of("errors a b") ==
        "plugin/errors: Corefile:1 - Error during parsing: Wrong argument count or unexpected "
        "line ending after 'b'");
  CHECK(error_of("errors {\n foo\n}") ==
        "plugin/errors: Corefile:2 - Syntax error: Unexpected token 'foo', expecting 'Unknown "
        "field foo'");
  // The first line is read completely before the second one is refused.
  CHECK(error_of("errors x\nerrors") ==
        "plugin/errors: Corefile:1 - Error during parsing: invalid log file: x");
}

TEST_CASE("stacktrace sets the block option") {
  auto run = setup("errors {\n stacktrace\n}");
  CHECK(run.error.empty());
  CHECK(run.block.stacktrace);
}

TEST_CASE("consolidate: accepted forms, several lines kept in order") {
  auto c = config(
      "errors {\n consolidate 5m \".* i/o timeout$\" warning\n consolidate 30s ^Failed show_first\n"
      " consolidate 1m x info show_first\n consolidate 1s y\n}");
  REQUIRE(c.consolidate.size() == 4);
  CHECK(c.consolidate[0].period == std::chrono::minutes(5));
  CHECK(c.consolidate[0].pattern_text == ".* i/o timeout$");
  CHECK(c.consolidate[0].level == log::Level::warning);
  CHECK_FALSE(c.consolidate[0].show_first);
  CHECK(c.consolidate[1].level == log::Level::error);
  CHECK(c.consolidate[1].show_first);
  CHECK(c.consolidate[2].level == log::Level::info);
  CHECK(c.consolidate[2].show_first);
  CHECK(c.consolidate[3].period == std::chrono::seconds(1));
  CHECK(config("errors {\n consolidate 1m a debug\n}").consolidate[0].level == log::Level::debug);
  CHECK(config("errors {\n consolidate 1m a error\n}").consolidate[0].level == log::Level::error);
  auto run = setup("errors {\n consolidate 1m a\n}");
  CHECK(run.error.empty());
  CHECK(run.lifecycle.shutdown.size() == 1);  // flushes the counts
}

TEST_CASE("F4: consolidate errors") {
  const std::string at3 = "plugin/errors: Corefile:2 - Error during parsing: ";
  CHECK(error_of("errors {\n consolidate 1m\n}") ==
        at3 + "Wrong argument count or unexpected line ending after '1m'");
  CHECK(error_of("errors {\n consolidate 1m a b c d\n}") ==
        at3 + "Wrong argument count or unexpected line ending after 'd'");
  CHECK(error_of("errors {\n consolidate x ^a\n}") == at3 + "time: invalid duration \"x\"");
  CHECK(error_of("errors {\n consolidate 1m ^a warning error\n}") ==
        at3 + "multiple log levels specified in consolidate");
  CHECK(error_of("errors {\n consolidate 1m ^a show_first warning\n}") ==
        at3 + "log level must come before show_first in consolidate");
  CHECK(error_of("errors {\n consolidate 1m ^a loud\n}") ==
        at3 + "unknown option in consolidate: loud");
  CHECK(error_of("errors {\n consolidate 1m (abc\n}") ==
        at3 + "error parsing regexp: missing closing ): `(abc`");
  CHECK(error_of("errors {\n consolidate 1m abc)\n}") ==
        at3 + "error parsing regexp: unexpected ): `abc)`");
  CHECK(error_of("errors {\n consolidate 1m [abc\n}") ==
        at3 + "error parsing regexp: missing closing ]: `[abc`");
  CHECK(error_of("errors {\n consolidate 1m *a\n}") ==
        at3 + "error parsing regexp: missing argument to repetition operator: `*`");
  CHECK(error_of("errors {\n consolidate 1m a|+b\n}") ==
        at3 + "error parsing regexp: missing argument to repetition operator: `+`");
  CHECK(error_of("errors {\n consolidate 1m x[abc\n}") ==
        at3 + "error parsing regexp: missing closing ]: `[abc`");
  CHECK(error_of("errors {\n consolidate 1m a\\\n}") ==
        at3 + "error parsing regexp: trailing backslash at end of expression: ``");
  CHECK(error_of("errors {\n consolidate 1m (?x)abc\n}") ==
        at3 + "error parsing regexp: invalid or unsupported Perl syntax: `(?x`");
  const std::string huge(10001, 'a');
  CHECK(error_of("errors {\n consolidate 1m " + huge + "\n}") ==
        at3 + "regex pattern too long: 10001 > 10000");
  CHECK(error_of("errors {\n consolidate 1m " + huge.substr(1) + "\n}").empty());
}

TEST_CASE("patterns: RE2's leading flags, unanchored search") {
  auto match = [](const std::string& pattern, const std::string& text) {
    return Regex(pattern).search(text);
  };
  CHECK(match("no next plugin", "plugin/log: no next plugin found"));
  CHECK(match("(?i)NO NEXT", "plugin/log: no next plugin found"));
  CHECK(match("(?is)no.next", "plugin/log: no next plugin found"));
  CHECK_FALSE(match("NO NEXT", "plugin/log: no next plugin found"));
  CHECK(match(".* i/o timeout$", "plugin/forward: read udp 1.2.3.4:53: i/o timeout"));
  CHECK(match("^plugin/forward", "plugin/forward: no healthy upstream"));
  CHECK(match(R"(\d+\.\d+)", "read udp 10.0.0.1:53"));
  CHECK(match("[[:alpha:]]+ timeout", "i/o timeout"));
}

TEST_CASE("patterns: RE2's own escapes and classes") {
  auto match = [](const std::string& pattern, const std::string& text) {
    return Regex(pattern).search(text);
  };
  CHECK(match(R"(timeout\z)", "read: i/o timeout"));
  CHECK_FALSE(match(R"(timeout\z)", "read: i/o timeoutz"));
  CHECK(match(R"(\Aplugin/forward)", "plugin/forward: x"));
  CHECK_FALSE(match(R"(\Aplugin/forward)", "x plugin/forward"));
  CHECK(match(R"(\Q1.2(3)\E$)", "v1.2(3)"));
  CHECK_FALSE(match(R"(\Q1.2\E)", "132"));
  CHECK(match(R"(a\\z)", "a\\z"));
  CHECK(match(R"(\pN+ errors)", "12 errors"));
  CHECK_FALSE(match(R"(^\pN)", "x1"));
  // What RE2 (and Go) refuse, std::regex took: back-references and look-ahead.
  CHECK_THROWS_WITH(Regex(R"((a)\1)"), "error parsing regexp: invalid escape sequence: `\\1`");
  CHECK_THROWS_WITH(Regex("a(?=b)"),
                    "error parsing regexp: invalid or unsupported Perl syntax: `(?=`");
}
