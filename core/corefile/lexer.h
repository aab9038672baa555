#pragma once
#include <string_view>

#include "core/corefile/token.h"

namespace coredns::corefile {

// Splits Corefile text into tokens exactly as CoreDNS's lexer does (Caddy's caddyfile/lexer.go):
// UTF-8 with a leading BOM dropped, CR deleted, '#' comments, quotes only at token start, no line
// continuation.
Tokens lex(std::string_view text, std::shared_ptr<const std::string> file = nullptr);

}  // namespace coredns::corefile
