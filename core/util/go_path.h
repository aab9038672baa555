#pragma once
// Slash-separated path manipulation with the semantics of Go's path/filepath on Unix. Import
// patterns and the paths in Corefile error messages are built this way upstream, so messages
// such as "File to import not found" and "/ABS/zones/b.conf:2 - ..." come out identical.
#include <string>
#include <string_view>

namespace coredns::gopath {

// Lexically shortest equivalent path: "a//b/./c/.." -> "a/b"; "" -> ".".
std::string clean(std::string_view path);
// Joins with '/' ignoring empty elements, then cleans; "" if both are empty.
std::string join(std::string_view a, std::string_view b);
// Everything but the last element, cleaned: "/a/b" -> "/a", "b" -> ".".
std::string dir(std::string_view path);
bool is_abs(std::string_view path);
// Absolute, cleaned path relative to the working directory ($PWD when it names the same
// directory, as Go's os.Getwd prefers it over the resolved path).
std::string abs(std::string_view path);

}  // namespace coredns::gopath
