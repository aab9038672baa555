// The token cursor plugins parse their directive with (Caddy's caddyfile/dispenser.go), driven the
// way plugin setups drive it, with the exact error texts users see.
#include <catch2/catch.hpp>

#include "core/corefile/dispenser.h"
#include "core/corefile/lexer.h"

using namespace coredns::corefile;

namespace {

Dispenser dispenser_for(std::string_view text, std::string main_file = "Corefile") {
  return Dispenser(lex(text), std::move(main_file));
}

std::vector<std::string> all_args(Dispenser& d) {
  std::vector<std::string> out;
  while (d.next_arg()) out.push_back(d.val());
  return out;
}

}  // namespace

TEST_CASE("dispenser: starts before the first token", "[corefile][dispenser]") {
  Dispenser d = dispenser_for("log . {combined}");
  CHECK(d.val().empty());
  CHECK(d.line() == 0);
  CHECK(d.file() == "Corefile");
  REQUIRE(d.next());
  CHECK(d.val() == "log");
  CHECK(d.line() == 1);
}

TEST_CASE("dispenser: next, next_arg, next_line", "[corefile][dispenser]") {
  Dispenser d = dispenser_for("log a b\nlog c\n\nwhoami");
  REQUIRE(d.next());
  CHECK(all_args(d) == std::vector<std::string>{"a", "b"});
  CHECK(d.val() == "b");  // next_arg does not move past the line end
  CHECK_FALSE(d.next_arg());
  REQUIRE(d.next_line());
  CHECK(d.val() == "log");
  CHECK(d.line() == 2);
  CHECK_FALSE(d.next_line());  // "c" is on the same line
  REQUIRE(d.next());
  CHECK(d.val() == "c");
  REQUIRE(d.next_line());
  CHECK(d.val() == "whoami");
  CHECK(d.line() == 4);
  CHECK(d.at_end());
  CHECK_FALSE(d.next());
  CHECK(d.val() == "whoami");  // the cursor stays on the last token
  CHECK_FALSE(d.next_arg());
  CHECK_FALSE(d.next_line());
}

TEST_CASE("dispenser: a quoted token spanning lines", "[corefile][dispenser]") {
  Dispenser d = dispenser_for("log \"a\nb\" c\nd");
  REQUIRE(d.next());
  REQUIRE(d.next_arg());
  CHECK(d.val() == "a\nb");
  REQUIRE(d.next_arg());  // "c" is on the line where the quoted token ends
  CHECK(d.val() == "c");
  CHECK_FALSE(d.next_arg());
  REQUIRE(d.next_line());
  CHECK(d.val() == "d");
}

TEST_CASE("dispenser: tokens of another file are never on the same line", "[corefile][dispenser]") {
  Tokens tokens = lex("forward .");
  const auto imported = lex("8.8.8.8", std::make_shared<const std::string>("/etc/coredns/x.conf"));
  tokens.push_back(imported.front());
  Dispenser d(tokens, "Corefile");
  REQUIRE(d.next());
  REQUIRE(d.next_arg());
  CHECK(d.file() == "Corefile");
  CHECK_FALSE(d.next_arg());
  REQUIRE(d.next_line());
  CHECK(d.file() == "/etc/coredns/x.conf");
  CHECK(d.err("bad").what() == std::string("/etc/coredns/x.conf:1 - Error during parsing: bad"));
}

TEST_CASE("dispenser: remaining_args stops before `{`", "[corefile][dispenser]") {
  Dispenser d = dispenser_for("forward . 1.1.1.1 8.8.8.8 {\n max_fails 3\n}");
  REQUIRE(d.next());
  CHECK(d.remaining_args() == std::vector<std::string>{".", "1.1.1.1", "8.8.8.8"});
  CHECK(d.val() == "8.8.8.8");
  REQUIRE(d.next_block());
  CHECK(d.val() == "max_fails");
  CHECK(d.remaining_args() == std::vector<std::string>{"3"});
  CHECK_FALSE(d.next_block());
  CHECK(d.val() == "}");
  CHECK(d.remaining_args().empty());
}

TEST_CASE("dispenser: next_block", "[corefile][dispenser]") {
  SECTION("walks the lines of a block opened on the directive's line") {
    Dispenser d = dispenser_for("log . {\n class denial\n format x\n}");
    REQUIRE(d.next());
    REQUIRE(d.next_arg());
    std::vector<std::string> properties;
    while (d.next_block()) {
      properties.push_back(d.val());
      d.remaining_args();
    }
    CHECK(properties == std::vector<std::string>{"class", "format"});
    CHECK(d.val() == "}");
  }
  SECTION("a `{` on the next line is not this directive's block and is not consumed") {
    Dispenser d = dispenser_for("log\n{\n class denial\n}");
    REQUIRE(d.next());
    CHECK_FALSE(d.next_block());
    CHECK(d.val() == "log");
  }
  SECTION("no block at all") {
    Dispenser d = dispenser_for("log a");
    REQUIRE(d.next());
    CHECK_FALSE(d.next_block());
    CHECK(d.val() == "log");
    Dispenser at_end = dispenser_for("log");
    REQUIRE(at_end.next());
    CHECK_FALSE(at_end.next_block());
  }
  SECTION("an immediately closed block") {
    Dispenser d = dispenser_for("health { }");
    REQUIRE(d.next());
    CHECK_FALSE(d.next_block());
    CHECK(d.val() == "}");
  }
  SECTION("one nesting level: an inner `}` ends the block") {
    Dispenser d = dispenser_for("x {\n a {\n b\n }\n c\n}");
    REQUIRE(d.next());
    std::vector<std::string> seen;
    while (d.next_block()) seen.push_back(d.val());
    CHECK(seen == std::vector<std::string>{"a", "{", "b"});
  }
  SECTION("running out of tokens inside a block") {
    Dispenser d = dispenser_for("x {\n a");
    REQUIRE(d.next());
    REQUIRE(d.next_block());
    CHECK(d.val() == "a");
    CHECK_FALSE(d.next_block());
  }
  SECTION("several occurrences of a directive, each with its own block") {
    Dispenser d = dispenser_for("log a {\n class denial\n}\nlog b {\n class error\n}");
    std::vector<std::string> classes;
    while (d.next()) {
      d.remaining_args();
      while (d.next_block()) {
        if (d.val() == "class" && d.next_arg()) classes.push_back(d.val());
      }
    }
    CHECK(classes == std::vector<std::string>{"denial", "error"});
  }
}

TEST_CASE("dispenser: error texts", "[corefile][dispenser]") {
  Dispenser d = dispenser_for("log {\n class\n foo\n}", "./x/Corefile");
  REQUIRE(d.next());
  CHECK(d.err("boom").what() == std::string("./x/Corefile:1 - Error during parsing: boom"));
  REQUIRE(d.next_block());
  CHECK(d.remaining_args().empty());
  CHECK(d.arg_err().what() ==
        std::string("./x/Corefile:2 - Error during parsing: Wrong argument count or unexpected "
                    "line ending after 'class'"));
  REQUIRE(d.next_block());
  CHECK(d.err("unknown property 'foo'").what() ==
        std::string("./x/Corefile:3 - Error during parsing: unknown property 'foo'"));
  CHECK(d.syntax_err("Unknown field foo").what() ==
        std::string("./x/Corefile:3 - Syntax error: Unexpected token 'foo', expecting 'Unknown "
                    "field foo'"));
  CHECK(d.eof_err().what() == std::string("./x/Corefile:3 - Error during parsing: Unexpected EOF"));

  SECTION("an argument error on `{`") {
    Dispenser health = dispenser_for("health {\n lameduck 1s\n}");
    REQUIRE(health.next());
    REQUIRE(health.next_arg());
    CHECK(health.arg_err().what() ==
          std::string("Corefile:1 - Error during parsing: Unexpected token '{', expecting argument"));
  }
  SECTION("too many arguments") {
    Dispenser reload = dispenser_for("reload 1s 2s 3s");
    REQUIRE(reload.next());
    const auto args = reload.remaining_args();
    CHECK(args.size() == 3);
    CHECK(reload.arg_err().what() ==
          std::string("Corefile:1 - Error during parsing: Wrong argument count or unexpected line "
                      "ending after '3s'"));
  }
}

TEST_CASE("dispenser: an empty token list", "[corefile][dispenser]") {
  Dispenser d(Tokens{}, "Corefile");
  CHECK(d.at_end());
  CHECK_FALSE(d.next());
  CHECK_FALSE(d.next_arg());
  CHECK(d.val().empty());
  CHECK(d.err("x").what() == std::string("Corefile:0 - Error during parsing: x"));
}
