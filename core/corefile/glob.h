#pragma once
// File-name globbing with the semantics of Go's path/filepath.Glob on Unix, for `import`:
// `*` and `?` never match '/', but do match a leading '.'; `\` escapes the next character;
// matches come out sorted within each directory; unreadable directories are skipped silently.
// Character classes are not supported: `import` refuses any pattern containing both '[' and
// ']' before globbing, so an unescaped '[' here is always an unterminated class.
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace coredns::corefile {

// Go's filepath.ErrBadPattern.
struct BadGlobPattern : std::runtime_error {
  BadGlobPattern() : std::runtime_error("syntax error in pattern") {}
};

// Any of the characters that make a path a pattern (`*?[\`).
bool has_glob_meta(std::string_view path);
// Whether `name` (one path element) matches `pattern`.
bool glob_match(std::string_view pattern, std::string_view name);
// The existing paths matching `pattern`; a pattern without meta characters is returned as is
// if it exists (even as a dangling symlink). Throws BadGlobPattern.
std::vector<std::string> glob(const std::string& pattern);

}  // namespace coredns::corefile
