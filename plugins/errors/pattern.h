#pragma once
// Consolidation patterns are written in Go's RE2 syntax; they are compiled here with std::regex
// (ECMAScript), which accepts what error-matching patterns use in practice. RE2's leading flag
// group "(?i)" is translated (see README.md, Deviations).
#include <string>

#include "plugins/errors/regex.h"

namespace coredns::plugins::errors {

// CoreDNS's limit on a pattern's length, in bytes.
inline constexpr size_t kMaxPatternLength = 10000;

// Compiles `pattern`; throws ConfigError with Go's text ("error parsing regexp: missing closing
// ): `(abc`", "regex pattern too long: 10001 > 10000").
std::regex compile_pattern(const std::string& pattern);

}  // namespace coredns::plugins::errors
