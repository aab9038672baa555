#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/corefile/token.h"

namespace coredns::corefile {

// A server block as the parser produces it (Caddy's caddyfile/parse.go): its keys as written (after
// environment substitution) and, per directive name in order of first appearance, every token of
// every occurrence of that directive (each occurrence starts with the directive-name token).
struct ServerBlock {
  std::vector<std::string> keys;
  std::vector<std::pair<std::string, Tokens>> directives;

  const Tokens* find(std::string_view directive) const;
};

enum class DirectiveKind { unknown, known_not_built, built };

struct ParseOptions {
  // Path shown in messages and used to resolve relative imports: the -conf argument as given,
  // "Corefile", or "/dev/stdin".
  std::string path = "Corefile";
  // Classifies directive names; when empty, directives are not validated (the reload check).
  std::function<DirectiveKind(std::string_view)> directive_kind;
  // Receives the warnings CoreDNS logs at level WARNING while parsing, without the level
  // prefix: "No files matching import glob pattern: PATTERN".
  std::function<void(const std::string&)> warn;
};

// Parses a Corefile. Throws ConfigError with CoreDNS's message ("FILE:LINE - Error during
// parsing: ...", "FILE:LINE - Syntax error: ...") on the first problem.
std::vector<ServerBlock> parse(std::string_view text, const ParseOptions& options);

// Environment substitution of one token ({%NAME%} first, then {$NAME}), as Caddy's
// caddyfile/parse.go (replaceEnvVars).
std::string substitute_env(std::string_view text);

// The JSON CoreDNS's reload plugin hashes (plugin/reload/reload.go), and its SHA-512 in hex.
std::string fingerprint_json(const std::vector<ServerBlock>& blocks);
std::string fingerprint_sha512(const std::vector<ServerBlock>& blocks);

}  // namespace coredns::corefile
