// The lexer's cases, by the rules of Caddy's caddyfile/lexer.go.
#include <catch2/catch.hpp>

#include "core/corefile/lexer.h"

using coredns::corefile::lex;
using coredns::corefile::Tokens;

namespace {

// "text@line" for every token, comma separated; quoted newlines shown as \n.
std::string lexed(std::string_view text) {
  std::string out;
  for (const auto& token : lex(text)) {
    if (!out.empty()) out += ", ";
    for (const char c : token.text) out += c == '\n' ? std::string("\\n") : std::string(1, c);
    out += "@" + std::to_string(token.line);
  }
  return out;
}

}  // namespace

TEST_CASE("lexer: plain tokens and line numbers (L1-L3)", "[corefile][lexer]") {
  CHECK(lexed("host:123") == "host:123@1");
  CHECK(lexed("host:123\n\ndirective") == "host:123@1, directive@3");
  CHECK(lexed("host:123 { directive }") == "host:123@1, {@1, directive@1, }@1");
  CHECK(lexed("") == "");
  CHECK(lexed("  \t\n \n") == "");
}

TEST_CASE("lexer: quotes (L4-L9, L13, L14, L16, L17)", "[corefile][lexer]") {
  CHECK(lexed("a \"quoted value\" b\nfoobar") == "a@1, quoted value@1, b@1, foobar@2");
  CHECK(lexed(R"(A "quoted \"value\" inside" B)") == "A@1, quoted \"value\" inside@1, B@1");
  CHECK(lexed(R"("don't\escape")") == R"(don't\escape@1)");
  CHECK(lexed(R"("don't\\escape")") == R"(don't\\escape@1)");
  CHECK(lexed("A \"line\nbreak\" {\nx\n}") == "A@1, line\\nbreak@1, {@2, x@3, }@4");
  CHECK(lexed("a\"b c\"") == "a\"b@1, c\"@1");
  CHECK(lexed("\"foo\"bar") == "foo@1, bar@1");
  CHECK(lexed("\"abc") == "abc@1");
  CHECK(lexed(R"("C:\php\php-cgi.exe")") == R"(C:\php\php-cgi.exe@1)");
}

TEST_CASE("lexer: an empty quoted string is an empty token (L9)", "[corefile][lexer]") {
  const Tokens tokens = lex("empty \"\" string");
  REQUIRE(tokens.size() == 3);
  CHECK(tokens[0].text == "empty");
  CHECK(tokens[1].text.empty());
  CHECK(tokens[2].text == "string");
}

TEST_CASE("lexer: quoting details", "[corefile][lexer]") {
  SECTION("whitespace, '#' and braces are literal inside quotes") {
    CHECK(lexed("\"a # b { } c\" d") == "a # b { } c@1, d@1");
  }
  SECTION("an unterminated empty quote at EOF yields nothing") { CHECK(lexed("a \"") == "a@1"); }
  SECTION("CR is kept inside quotes") {
    const Tokens tokens = lex("\"a\rb\"");
    REQUIRE(tokens.size() == 1);
    CHECK(tokens[0].text == "a\rb");
  }
  SECTION("a quoted token starts on the line of its opening quote") {
    CHECK(lexed("a\n\"\nb\"\nc") == "a@1, \\nb@2, c@4");
  }
  SECTION("escaped newline keeps the backslash and counts the line") {
    CHECK(lexed("\"a\\\nb\" c") == "a\\\\nb@1, c@2");
  }
}

TEST_CASE("lexer: CR deletion, BOM, comments (L10-L12, L15)", "[corefile][lexer]") {
  CHECK(lexed("skip those\r\nCR characters") == "skip@1, those@1, CR@2, characters@2");
  CHECK(lexed("\xEF\xBB\xBF:8080") == ":8080@1");
  CHECK(lexed("foo#bar baz\nqux") == "foo@1, qux@2");
  CHECK(lexed("who\rami") == "whoami@1");
  CHECK(lexed("# only a comment\n\n# another") == "");
  CHECK(lexed("a # comment \"with quote\n b") == "a@1, b@2");
  SECTION("a BOM anywhere but the start is an ordinary character") {
    CHECK(lexed("a\xEF\xBB\xBF") == "a\xEF\xBB\xBF@1");
  }
}

TEST_CASE("lexer: no line continuation, braces only as whole tokens (L18)", "[corefile][lexer]") {
  CHECK(lexed("forward . 1.1.1.1 \\\n 8.8.8.8") == "forward@1, .@1, 1.1.1.1@1, \\@1, 8.8.8.8@2");
  CHECK(lexed("example.org{") == "example.org{@1");
  CHECK(lexed("whoami}") == "whoami}@1");
}

TEST_CASE("lexer: Unicode whitespace and malformed UTF-8", "[corefile][lexer]") {
  SECTION("Go's unicode.IsSpace separates tokens") {
    CHECK(lexed("a\u00a0b\u2003c\u3000d\u0085e\vf\fg") == "a@1, b@1, c@1, d@1, e@1, f@1, g@1");
  }
  SECTION("ASCII 0x1C-0x1F are not whitespace") { CHECK(lexed("a\x1c" "b") == "a\x1c" "b@1"); }
  SECTION("each invalid byte becomes U+FFFD") {
    CHECK(lexed("a\xff\xc3") == "a\xEF\xBF\xBD\xEF\xBF\xBD@1");
    CHECK(lexed("\xed\xa0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD@1");  // a surrogate
  }
  SECTION("valid multi-byte text is kept") { CHECK(lexed("h\xC3\xA9llo") == "h\xC3\xA9llo@1"); }
}

TEST_CASE("lexer: tokens carry the file they came from", "[corefile][lexer]") {
  const auto file = std::make_shared<const std::string>("/abs/zones/a.conf");
  const Tokens imported = lex("a b", file);
  REQUIRE(imported.size() == 2);
  CHECK(imported[1].file_name() == "/abs/zones/a.conf");
  CHECK(lex("a")[0].file_name().empty());
}

TEST_CASE("tokens: line adjacency counts newlines inside quoted tokens", "[corefile][lexer]") {
  const Tokens tokens = lex("dir \"foo\nbar\nbaz\" next\nlast");
  REQUIRE(tokens.size() == 4);
  CHECK(tokens[1].newlines() == 2);
  CHECK(on_same_line(tokens[1], tokens[2]));      // "next" is on line 3, where the quote ends
  CHECK_FALSE(on_later_line(tokens[1], tokens[2]));
  CHECK(on_later_line(tokens[2], tokens[3]));
  const auto other = std::make_shared<const std::string>("/other");
  const Tokens elsewhere = lex("x", other);
  CHECK_FALSE(on_same_line(tokens[0], elsewhere[0]));  // line 1 of another file
  CHECK(on_later_line(tokens[0], elsewhere[0]));
}
