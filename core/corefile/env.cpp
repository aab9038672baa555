// Environment substitution of one token, as Caddy's caddyfile/parse.go (replaceEnvVars).
#include <cstdlib>
#include <string>

#include "core/corefile/parser.h"

namespace coredns::corefile {
namespace {

// CoreDNS re-scans from the start after every replacement, so a value that mentions a variable
// is expanded again; a self-referencing value would loop forever upstream. We stop after this
// many replacements instead and leave the rest of the token as it is.
constexpr int max_replacements = 10'000;

void replace_all(std::string& text, const std::string& from, std::string_view to) {
  std::string out;
  std::size_t pos = 0;
  for (std::size_t hit; (hit = text.find(from, pos)) != std::string::npos; pos = hit + from.size()) {
    out.append(text, pos, hit - pos);
    out += to;
  }
  out.append(text, pos);
  text = std::move(out);
}

void substitute(std::string& text, std::string_view start, std::string_view end) {
  for (int replacements = 0; replacements < max_replacements; ++replacements) {
    const std::size_t begin = text.find(start);
    if (begin == std::string::npos) return;
    // The end marker is searched from the start marker itself, so "{%}" has no name.
    const std::size_t finish = text.find(end, begin);
    if (finish == std::string::npos) return;
    if (finish <= begin + start.size()) return;  // "{$}" / "{%%}": leave this syntax alone
    const std::string reference = text.substr(begin, finish + end.size() - begin);
    const std::string name = text.substr(begin + start.size(), finish - begin - start.size());
    // A name with a NUL byte cannot exist in the environment.
    const char* value =
        name.find('\0') == std::string::npos ? std::getenv(name.c_str()) : nullptr;
    replace_all(text, reference, value != nullptr ? value : "");
  }
}

}  // namespace

std::string substitute_env(std::string_view text) {
  std::string result(text);
  substitute(result, "{%", "%}");
  substitute(result, "{$", "}");
  return result;
}

}  // namespace coredns::corefile
