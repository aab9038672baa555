// libFuzzer target "corefile": the Corefile front end on untrusted text (core/corefile: lex,
// parse with snippets, env substitution and imports, normalize_keys, check_port, the reload
// fingerprint, and the Dispenser walks plugin setups do).
//
// Imports stay inside a private temp dir: the environment is cleared at start-up (so {$VAR}
// cannot produce a path), the Corefile's path is TMPDIR/Corefile (relative imports resolve
// there, where a few fixed files wait), and an input whose import pattern is absolute or climbs
// with ".." is lexed but not parsed, and so is one where several snippets import (a cycle
// between them is slow by design, see snippets_may_cycle). The parser may only throw ConfigError.
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "core/corefile/dispenser.h"
#include "core/corefile/keys.h"
#include "core/corefile/lexer.h"
#include "core/corefile/parser.h"
#include "core/util/error.h"

namespace {

using namespace coredns::corefile;
using coredns::ConfigError;

std::string g_dir;

void remove_dir() {
  std::error_code ec;
  std::filesystem::remove_all(g_dir, ec);
}

void write_file(const std::string& name, std::string_view text) {
  std::ofstream(g_dir + "/" + name, std::ios::binary) << text;
}

DirectiveKind directive_kind(std::string_view name) {
  for (std::string_view b : {"reload", "debug", "health", "errors", "log", "dns64", "cache",
                             "forward", "whoami", "bind", "nat64"}) {
    if (name == b) return DirectiveKind::built;
  }
  for (std::string_view k : {"prometheus", "ready", "kubernetes", "loop", "hosts"}) {
    if (name == k) return DirectiveKind::known_not_built;
  }
  return DirectiveKind::unknown;
}

// Whether parsing `tokens` could read a file outside the temp dir.
bool imports_escape(const Tokens& tokens) {
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    if (substitute_env(tokens[i].text) != "import") continue;
    const std::string pattern = substitute_env(tokens[i + 1].text);
    if (pattern.starts_with('/') || pattern.find("..") != std::string::npos) return true;
  }
  return false;
}

// Whether more than one snippet body imports something. Snippets importing each other in a
// cycle expand up to the parser's cap of 10000 imports; when each round also adds a token, the
// splicing is quadratic (as in CoreDNS) and takes seconds under ASan: a known, bounded cost
// that would otherwise drown the fuzzer in timeouts. One importing snippet cannot cycle.
bool snippets_may_cycle(const Tokens& tokens) {
  int importing = 0;
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    const std::string& t = tokens[i].text;
    if (t.size() < 2 || t.front() != '(' || t.back() != ')' || tokens[i + 1].text != "{") continue;
    int depth = 0;
    bool imports = false;
    for (size_t j = i + 1; j < tokens.size(); ++j) {
      if (tokens[j].text == "{") ++depth;
      if (tokens[j].text == "}" && --depth == 0) break;
      if (tokens[j].text == "import") imports = true;
    }
    if (imports && ++importing > 1) return true;
  }
  return false;
}

// What a plugin's setup does with its tokens: every Dispenser walk, errors built and dropped.
void walk(const Tokens& tokens, const std::string& path) {
  Dispenser d(tokens, path);
  while (d.next()) {
    (void)d.val();
    (void)d.line();
    (void)d.file();
    auto args = d.remaining_args();
    while (d.next_block()) {
      (void)d.val();
      while (d.next_arg()) (void)d.val();
    }
    if (!args.empty()) (void)d.err(args.front()).what();
    (void)d.arg_err().what();
    (void)d.syntax_err("x").what();
    (void)d.eof_err().what();
  }
  Dispenser lines(tokens, path);
  while (lines.next() || lines.next_line()) (void)lines.at_end();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  clearenv();
  setenv("ZONE", "example.org", 1);
  setenv("PORT", "1053", 1);
  setenv("UPSTREAM", "127.0.0.1:53", 1);
  char tmpl[] = "/tmp/corefile-fuzz-XXXXXX";
  if (!mkdtemp(tmpl)) {
    std::perror("mkdtemp");
    std::abort();
  }
  g_dir = tmpl;
  std::atexit(remove_dir);
  write_file("common.conf", "log\nerrors\n");
  // No file imports another: a snippet named like a file could close a cycle through it.
  write_file("block.conf", "example.net:1053 {\n  whoami\n}\n");
  write_file("args.conf", "forward . {args[0]} {\n  max_fails {args[1]}\n}\n");
  std::filesystem::create_directory(g_dir + "/zones");
  write_file("zones/a.conf", "cache 30\n");
  write_file("zones/b.conf", "dns64 {\n  prefix 64:ff9b::/96\n}\n");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const Tokens tokens = lex(text);
  for (size_t i = 0; i < tokens.size(); ++i) {
    (void)tokens[i].newlines();
    (void)tokens[i].file_name();
    if (i) (void)on_same_line(tokens[i - 1], tokens[i]);
  }
  walk(tokens, "Corefile");
  if (imports_escape(tokens) || snippets_may_cycle(tokens)) return 0;

  ParseOptions options;
  options.path = g_dir + "/Corefile";
  options.directive_kind = directive_kind;
  options.warn = [](const std::string&) {};
  std::vector<ServerBlock> blocks;
  try {
    blocks = parse(text, options);
  } catch (const ConfigError&) {
    return 0;
  }
  (void)fingerprint_sha512(blocks);
  for (const ServerBlock& block : blocks) {
    for (const auto& [name, directive_tokens] : block.directives) walk(directive_tokens, options.path);
    for (std::string_view port : {"53", "1053"}) {
      try {
        for (const ZoneAddress& za : normalize_keys(block.keys, port)) {
          (void)za.str();
          (void)follows_rfc1035(za.zone);
          (void)is_reverse_zone(za.zone);
          try {
            check_port(za);
          } catch (const ConfigError&) {
          }
        }
      } catch (const ConfigError&) {
      }
    }
  }
  return 0;
}
