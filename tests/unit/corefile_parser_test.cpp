// Parser cases, environment variables, snippets and imports, by the rules of Caddy's
// caddyfile/parse.go.
#include <catch2/catch.hpp>

#include "core/corefile/keys.h"
#include "tests/unit/corefile_test_support.h"

using namespace corefile_test;

TEST_CASE("parser: braces and directive lines (P1-P6, P19)", "[corefile][parser]") {
  CHECK(describe_parse(". {\n whoami\n}") == ". {whoami[whoami]}");
  CHECK(parse_error(". { whoami }") ==
        "Corefile:1 - Error during parsing: Unexpected '}' because no matching opening brace");
  CHECK(parse_error(". {\n whoami }") ==
        "Corefile:2 - Error during parsing: Unexpected '}' because no matching opening brace");
  CHECK(describe_parse(". { whoami\n}") == ". {whoami[whoami]}");
  CHECK(describe_parse(". { }") == ". {}");
  CHECK(describe_parse(".\n{\n whoami\n}") == ". {whoami[whoami]}");
  CHECK(describe_parse(". {\n errors { stacktrace }\n}") == ". {errors[errors { stacktrace }]}");
}

TEST_CASE("parser: the brace-less single-block form (P7, P8)", "[corefile][parser]") {
  CHECK(describe_parse("example.org\nwhoami\nlog") == "example.org {whoami[whoami]; log[log]}");
  CHECK(parse_error("example.org\nwhoami\nexample.net {\n}") ==
        "Corefile:3 - Error during parsing: Unknown directive 'example.net'");
  SECTION("a file that is only a line of keys is a block without directives") {
    CHECK(describe_parse("example.org example.net") == "example.org,example.net {}");
  }
}

TEST_CASE("parser: keys and commas (P9-P11, P18)", "[corefile][parser]") {
  CHECK(describe_parse("a, b {\n}") == "a,b {}");
  CHECK(describe_parse("a,\nb {\n}") == "a,b {}");
  CHECK(describe_parse("a b\n{\n}") == "a,b {}");
  CHECK(parse_error("a, {\n}") ==
        "Corefile:1 - Error during parsing: Expected another address but had '{' - check for "
        "extra comma");
  CHECK(parse_error("a,") == "Corefile:1 - Error during parsing: Unexpected EOF");
  CHECK(describe_parse("a,b {\n}") == "a,b {}");
  REQUIRE(parse("a,b {\n}", test_options())[0].keys.size() == 1);
  CHECK(describe_parse("\"\" . {\n whoami\n}") == ". {whoami[whoami]}");
  SECTION("keys are kept as written") {
    CHECK(parse("dns://Example.ORG:1053 {\n}", test_options())[0].keys ==
          std::vector<std::string>{"dns://Example.ORG:1053"});
  }
}

TEST_CASE("parser: unknown directives (P12, P16)", "[corefile][parser]") {
  CHECK(parse_error(". {\n foo\n}") == "Corefile:2 - Error during parsing: Unknown directive 'foo'");
  CHECK(parse_error(". {\n forward . 1.1.1.1 \\\n 8.8.8.8\n}") ==
        "Corefile:3 - Error during parsing: Unknown directive '8.8.8.8'");
  SECTION("a directive CoreDNS has but this build left out points at plugin.cfg") {
    CHECK(parse_error(". {\n whoami\n prometheus :9153\n}") ==
          "Corefile:3 - Error during parsing: Unknown directive 'prometheus': this build does "
          "not include the prometheus plugin (add it to plugin.cfg and rebuild)");
  }
  SECTION("the first offending directive in file order is reported") {
    CHECK(parse_error("a {\n whoami\n}\nb {\n bar\n foo\n}") ==
          "Corefile:5 - Error during parsing: Unknown directive 'bar'");
  }
  SECTION("the message uses the path the Corefile was given as") {
    CHECK(parse_error(". {\n foo\n}", test_options("./x/Corefile")) ==
          "./x/Corefile:2 - Error during parsing: Unknown directive 'foo'");
  }
  SECTION("without a directive classifier nothing is validated (the reload check)") {
    ParseOptions options;
    CHECK(describe(parse(". {\n foo bar\n}", options)) == ". {foo[foo bar]}");
  }
  SECTION("directives of blocks whose keys vanished are still validated") {
    CHECK(parse_error("\"\" {\n foo\n}") ==
          "Corefile:2 - Error during parsing: Unknown directive 'foo'");
  }
}

TEST_CASE("parser: missing closing braces (P13-P15)", "[corefile][parser]") {
  CHECK(parse_error(". {\n whoami\n") ==
        "Corefile:2 - Syntax error: Unexpected token 'whoami', expecting '}'");
  CHECK(parse_error(". {") == "Corefile:1 - Syntax error: Unexpected token '{', expecting '}'");
  SECTION("the last `}` of a directive block also satisfies the server block (quirk)") {
    CHECK(describe_parse(". {\n log {\n class denial\n}") == ". {log[log { class denial }]}");
  }
  SECTION("EOF inside a directive's block") {
    CHECK(parse_error(". {\n log {\n class denial\n") ==
          "Corefile:3 - Error during parsing: Unexpected EOF");
  }
}

TEST_CASE("parser: a stray top-level `}` becomes a key (P17)", "[corefile][parser]") {
  const auto blocks = parse(". {\n whoami\n}\n}", test_options());
  CHECK(describe(blocks) == ". {whoami[whoami]} | } {}");
  const auto zones = normalize_keys(blocks[1].keys, "53");
  REQUIRE(zones.size() == 1);
  CHECK(zones[0].zone == "}.");
  CHECK_FALSE(follows_rfc1035(zones[0].zone));  // startup warns about "}."
}

TEST_CASE("parser: all occurrences of a directive are grouped (P20)", "[corefile][parser]") {
  const auto blocks = parse(". {\n whoami\n log\n whoami\n log . {combined}\n}", test_options());
  CHECK(describe(blocks) == ". {whoami[whoami whoami]; log[log log . {combined}]}");
  const Tokens* whoami = blocks[0].find("whoami");
  REQUIRE(whoami != nullptr);
  CHECK((*whoami)[0].line == 2);
  CHECK((*whoami)[1].line == 4);
  CHECK(blocks[0].find("cache") == nullptr);
}

TEST_CASE("parser: a directive's block and line rules", "[corefile][parser]") {
  SECTION("a `{` on the next line still belongs to the previous directive") {
    CHECK(describe_parse(". {\n log\n {\n class denial\n }\n whoami\n}") ==
          ". {log[log { class denial }]; whoami[whoami]}");
  }
  SECTION("a quoted token spanning lines continues on the line it ends") {
    const auto blocks = parse(". {\n log . \"a\nb\" more\n whoami\n}", test_options());
    CHECK(texts(*blocks[0].find("log")) == std::vector<std::string>{"log", ".", "a\nb", "more"});
  }
  SECTION("nested blocks") {
    CHECK(describe_parse(". {\n forward . 1.1.1.1 {\n  a {\n   b\n  }\n }\n}") ==
          ". {forward[forward . 1.1.1.1 { a { b } }]}");
  }
  SECTION("blocks stay in file order; empty-key blocks are dropped") {
    CHECK(describe_parse("b {\n}\n\"\" {\n whoami\n}\na {\n}") == "b {} | a {}");
  }
  SECTION("zero server blocks is a normal result") {
    CHECK(parse("", test_options()).empty());
    CHECK(parse("# just a comment\n\n", test_options()).empty());
  }
}

TEST_CASE("parser: environment variables (E1-E5)", "[corefile][parser][env]") {
  const ScopedEnv zone("ZONE", "example.org");
  const ScopedEnv port("PORT", "1053");
  const ScopedEnv nope("NOPE", std::nullopt);

  const auto e1 = parse("{$ZONE}:{$PORT} {\n whoami\n}", test_options());
  REQUIRE(e1.size() == 1);
  CHECK(e1[0].keys == std::vector<std::string>{"example.org:1053"});
  const auto zones = normalize_keys(e1[0].keys, "53");
  REQUIRE(zones.size() == 1);
  CHECK(zones[0].str() == "dns://example.org.:1053");

  CHECK(describe_parse("{%ZONE%} {\n whoami\n}") == "example.org {whoami[whoami]}");
  CHECK(parse("{$NOPE} {\n whoami\n}", test_options()).empty());  // -> the built-in default

  {
    const ScopedEnv format("FMT", "{name}");
    CHECK(describe_parse(". {\n log . \"{$FMT}\"\n}") == ". {log[log . {name}]}");
  }
  CHECK(describe_parse(". {\n forward . {$}\n}") == ". {forward[forward . {$}]}");

  SECTION("directive names are substituted for lookup; the name token is stored as written") {
    const ScopedEnv dir("DIR", "log");
    const ScopedEnv arg("ARG", "example.org");
    const auto blocks = parse(". {\n {$DIR} {$ARG}\n}", test_options());
    REQUIRE(blocks[0].directives.size() == 1);
    CHECK(blocks[0].directives[0].first == "log");
    CHECK(texts(blocks[0].directives[0].second) ==
          std::vector<std::string>{"{$DIR}", "example.org"});
  }
  SECTION("a value with spaces stays one token") {
    const ScopedEnv spaced("SPACED", "a b");
    CHECK(texts(*parse(". {\n log {$SPACED}\n}", test_options())[0].find("log")) ==
          std::vector<std::string>{"log", "a b"});
  }
  SECTION("an unknown directive is reported by its substituted name") {
    const ScopedEnv dir("DIR", "bogus");
    CHECK(parse_error(". {\n {$DIR}\n}") ==
          "Corefile:2 - Error during parsing: Unknown directive 'bogus'");
  }
}

TEST_CASE("substitute_env: order and quirks", "[corefile][env]") {
  const ScopedEnv a("A", "x");
  const ScopedEnv b("B", "{$A}");
  const ScopedEnv self("SELF", "<{$SELF}>");
  const ScopedEnv unset("UNSET", std::nullopt);
  CHECK(substitute_env("{$A}") == "x");
  CHECK(substitute_env("{$A}.{$A}:{%A%}") == "x.x:x");
  CHECK(substitute_env("{$UNSET}") == "");
  CHECK(substitute_env("pre{$UNSET}post") == "prepost");
  CHECK(substitute_env("{$B}") == "x");        // values are expanded again
  CHECK(substitute_env("{%B%}") == "x");       // {%..%} first, then {$..}
  CHECK(substitute_env("{$}") == "{$}");
  CHECK(substitute_env("{%%}") == "{%%}");
  CHECK(substitute_env("{%}") == "{%}");
  CHECK(substitute_env("{$}{$A}") == "{$}{$A}");  // an empty name stops that syntax
  CHECK(substitute_env("{%%}{$A}") == "{%%}x");
  CHECK(substitute_env("{$A") == "{$A");
  CHECK(substitute_env("plain") == "plain");
  // Upstream loops forever on a self-referencing value; we give up after a bound.
  CHECK(substitute_env("{$SELF}").find("<<<") == 0);
}

TEST_CASE("parser: snippets (S1-S5, S8, S9)", "[corefile][parser][snippets]") {
  const TempDir dir;  // so that a snippet name taken as a file path finds nothing
  const WorkingDirectory cwd(dir.path());

  const auto s1 = parse("(snip) {\n whoami\n}\n. {\n import snip\n}", test_options());
  CHECK(describe(s1) == ". {whoami[whoami]}");
  CHECK(s1[0].find("whoami")->front().line == 2);  // snippet tokens keep their own lines

  CHECK(parse("(snip) {\n whoami\n}", test_options()).empty());
  CHECK(parse_error(". {\n import snip\n}\n(snip) {\n whoami\n}") ==
        "Corefile:2 - Error during parsing: File to import not found: snip");
  CHECK(parse_error("(snip) {\n whoami\n}\n(snip) {\n log\n}") ==
        "Corefile:4 - Error during parsing: redeclaration of previously declared snippet snip");
  CHECK(parse_error("(snip) {\n import snip\n}") ==
        "Corefile:3 - Error during parsing: maximum snippet import depth (10000) exceeded");
  CHECK(describe_parse("(a) {\n log\n}\n(b) {\n import a\n errors\n}\n. {\n import b\n whoami\n}") ==
        ". {log[log]; errors[errors]; whoami[whoami]}");
  CHECK(parse_error("(s) {\n {args[0]}\n}\n. {\n import s\n}") ==
        "Corefile:2 - Error during parsing: Unknown directive '{args[0]}'");

  SECTION("mutual recursion hits the expansion cap") {
    CHECK(parse_error("(a) {\n import b\n}\n(b) {\n import a\n}\n. {\n import a\n}") ==
          "Corefile:5 - Error during parsing: maximum snippet import depth (10000) exceeded");
  }
  SECTION("snippet bodies are stored raw and substituted when imported") {
    const ScopedEnv value("V", "example.org");
    CHECK(describe_parse("(s) {\n log {$V}\n}\n. {\n import s\n}") == ". {log[log example.org]}");
  }
  SECTION("the snippet must open with `{`") {
    CHECK(parse_error("(s)\nwhoami") ==
          "Corefile:2 - Syntax error: Unexpected token 'whoami', expecting '{'");
    CHECK(parse_error("(s) {\n log {\n}") ==
          "Corefile:3 - Syntax error: Unexpected token '}', expecting '}'");
  }
  SECTION("only one trailing parenthesis is stripped from the name") {
    CHECK(describe_parse("(s)) {\n whoami\n}\n. {\n import s)\n}") == ". {whoami[whoami]}");
  }
  SECTION("a top-level import of a directive snippet makes its directives keys") {
    CHECK(describe_parse("(s) {\n whoami\n}\nimport s") == "whoami {}");
  }
  SECTION("a snippet of keys imported at top level") {
    CHECK(describe_parse("(k) {\n a.org b.org\n}\nimport k\n{\n whoami\n}") ==
          "a.org,b.org {whoami[whoami]}");
  }
  SECTION("import inside a directive's block") {
    CHECK(describe_parse("(o) {\n max_fails 3\n}\n. {\n forward . 1.1.1.1 {\n  import o\n }\n}") ==
          ". {forward[forward . 1.1.1.1 { max_fails 3 }]}");
  }
  SECTION("an empty snippet imports nothing") {
    CHECK(describe_parse("(e) {\n}\n. {\n import e\n whoami\n}") == ". {whoami[whoami]}");
  }
}

TEST_CASE("parser: import syntax (S6, S7)", "[corefile][parser][import]") {
  const ScopedEnv nope("NOPE", std::nullopt);
  CHECK(parse_error(". {\n import snip a\n}") ==
        "Corefile:2 - Error during parsing: Import takes only one argument (glob pattern or file)");
  CHECK(parse_error(". {\n import\n}") ==
        "Corefile:2 - Error during parsing: Wrong argument count or unexpected line ending after "
        "'import'");
  CHECK(parse_error(". {\n import {$NOPE}\n}") ==
        "Corefile:2 - Error during parsing: Import requires a non-empty filepath");
  SECTION("`import` elsewhere is an ordinary argument") {
    CHECK(describe_parse(". {\n forward . import\n}") == ". {forward[forward . import]}");
  }
}

TEST_CASE("parser: file imports (I1-I7)", "[corefile][parser][import]") {
  const TempDir dir;
  const WorkingDirectory cwd(dir.path());

  SECTION("I1: directives from a file, tagged with its absolute path") {
    dir.write("common.conf", "log\nerrors");
    const auto blocks = parse(". {\n import common.conf\n whoami\n}", test_options());
    CHECK(describe(blocks) == ". {log[log]; errors[errors]; whoami[whoami]}");
    const Token& log = blocks[0].find("log")->front();
    CHECK(log.file_name() == dir.abs("common.conf"));
    CHECK(log.line == 1);
    CHECK(blocks[0].find("whoami")->front().file_name().empty());
  }
  SECTION("I2: a missing plain file") {
    CHECK(parse_error(". {\n import nothere.conf\n}") ==
          "Corefile:2 - Error during parsing: File to import not found: nothere.conf");
  }
  SECTION("I3: a glob without matches only warns") {
    std::vector<std::string> warnings;
    ParseOptions options = test_options();
    options.warn = [&](const std::string& line) { warnings.push_back(line); };
    CHECK(describe(parse(". {\n import zones/*.nomatch\n whoami\n}", options)) ==
          ". {whoami[whoami]}");
    CHECK(warnings ==
          std::vector<std::string>{"No files matching import glob pattern: zones/*.nomatch"});
  }
  SECTION("I4: glob matches are imported in lexical order; errors name the imported file") {
    dir.write("zones/b.conf", "b.org {\n  bogus\n}");
    dir.write("zones/a.conf", "a.org {\n whoami\n}");
    CHECK(parse_error("import zones/*.conf") ==
          dir.abs("zones/b.conf") + ":2 - Error during parsing: Unknown directive 'bogus'");
    dir.write("zones/b.conf", "b.org {\n  log\n}");
    CHECK(describe_parse("import zones/*.conf") == "a.org {whoami[whoami]} | b.org {log[log]}");
  }
  SECTION("I5: more than one wildcard") {
    CHECK(parse_error("import zones/*/*.conf") ==
          "Corefile:1 - Error during parsing: Glob pattern may only contain one wildcard (*), "
          "but has others: " +
              dir.abs("zones/*/*.conf"));
    CHECK(parse_error("import a??.conf") ==
          "Corefile:1 - Error during parsing: Glob pattern may only contain one wildcard (*), "
          "but has others: " +
              dir.abs("a??.conf"));
    CHECK(parse_error("import [ab].conf") ==
          "Corefile:1 - Error during parsing: Glob pattern may only contain one wildcard (*), "
          "but has others: " +
              dir.abs("[ab].conf"));
  }
  SECTION("I6: an import inside a directive's block") {
    dir.write("opts.conf", "max_fails 3\nexpire 10s");
    CHECK(describe_parse(". {\n forward . 1.1.1.1 {\n  import opts.conf\n }\n}") ==
          ". {forward[forward . 1.1.1.1 { max_fails 3 expire 10s }]}");
  }
  SECTION("I7: a directory") {
    dir.mkdir("zones");
    CHECK(parse_error("import zones") ==
          "Corefile:1 - Error during parsing: Could not import " + dir.abs("zones") +
              ": is a directory");
  }
  SECTION("a file imported by an imported file is relative to the importing file") {
    dir.write("sub/inner.conf", "import more.conf");
    dir.write("sub/more.conf", "whoami");
    const auto blocks = parse(". {\n import sub/inner.conf\n}", test_options());
    CHECK(describe(blocks) == ". {whoami[whoami]}");
    CHECK(blocks[0].find("whoami")->front().file_name() == dir.abs("sub/more.conf"));
  }
  SECTION("the main file's imports are relative to the Corefile's directory") {
    dir.write("etc/Corefile.d/x.conf", "whoami");
    CHECK(describe_parse(". {\n import Corefile.d/x.conf\n}", test_options("etc/Corefile")) ==
          ". {whoami[whoami]}");
    CHECK(parse_error(". {\n import nope.conf\n}", test_options("etc/Corefile")) ==
          "etc/Corefile:2 - Error during parsing: File to import not found: nope.conf");
  }
  SECTION("absolute patterns, `?` and hidden files") {
    dir.write("z/.hidden.conf", "b.org {\n}\n");
    dir.write("z/a1.conf", "a.org {\n}");
    CHECK(describe_parse("import " + dir.abs("z/*.conf")) == "b.org {} | a.org {}");
    CHECK(describe_parse("import z/a?.conf") == "a.org {}");
  }
  SECTION("server blocks from an imported file, then the main file continues") {
    dir.write("blocks.conf", "a.org {\n whoami\n}\n");
    CHECK(describe_parse("import blocks.conf\nb.org {\n log\n}") ==
          "a.org {whoami[whoami]} | b.org {log[log]}");
  }
  SECTION("an import that brings nothing at the end of a block") {
    CHECK(parse_error(". {\n import none/*.conf") ==
          "Corefile:1 - Syntax error: Unexpected token '{', expecting '}'");
  }
  SECTION("an unterminated class in a pattern") {
    CHECK(parse_error("import a[b") ==
          "Corefile:1 - Error during parsing: Failed to use import pattern a[b: syntax error in "
          "pattern");
  }
  SECTION("a file importing itself hits the file import cap") {
    dir.write("loop.conf", "import loop.conf\n");
    CHECK(parse_error(". {\n import loop.conf\n}") ==
          dir.abs("loop.conf") + ":1 - Error during parsing: maximum file import depth (10000) exceeded");
  }
}
