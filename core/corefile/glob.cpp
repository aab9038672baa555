#include "core/corefile/glob.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <memory>

#include "core/util/go_path.h"
#include "core/util/utf8.h"

namespace coredns::corefile {
namespace {

void validate(std::string_view pattern) {
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '[') throw BadGlobPattern();
    if (pattern[i] == '\\' && ++i == pattern.size()) throw BadGlobPattern();
  }
}

std::size_t rune_size(std::string_view s, std::size_t at) { return utf8::decode(s.substr(at)).size; }

void match_in_directory(const std::string& directory, std::string_view pattern,
                        std::vector<std::string>& matches) {
  struct stat info{};
  if (::stat(directory.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) return;
  const std::unique_ptr<DIR, int (*)(DIR*)> handle(::opendir(directory.c_str()), ::closedir);
  if (!handle) return;
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(handle.get())) {
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    if (glob_match(pattern, name)) matches.push_back(gopath::join(directory, name));
  }
}

}  // namespace

bool has_glob_meta(std::string_view path) {
  return path.find_first_of("*?[\\") != std::string_view::npos;
}

bool glob_match(std::string_view pattern, std::string_view name) {
  constexpr auto none = std::string_view::npos;
  std::size_t p = 0, n = 0;
  // Where to resume if the text after the last `*` fails to match: the pattern just after the
  // star, and the name position the star's match would extend to.
  std::size_t star_pattern = none, star_name = 0;
  while (n < name.size()) {
    if (p < pattern.size()) {
      const char c = pattern[p];
      if (c == '*') {
        star_pattern = ++p;
        star_name = n;
        continue;
      }
      if (c == '?') {
        if (name[n] != '/') {
          n += rune_size(name, n);
          ++p;
          continue;
        }
      } else {
        const bool escaped = c == '\\' && p + 1 < pattern.size();
        if (name[n] == (escaped ? pattern[p + 1] : c)) {
          p += escaped ? 2 : 1;
          ++n;
          continue;
        }
      }
    }
    if (star_pattern == none || name[star_name] == '/') return false;
    star_name += rune_size(name, star_name);
    p = star_pattern;
    n = star_name;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::vector<std::string> glob(const std::string& pattern) {
  validate(pattern);
  if (!has_glob_meta(pattern)) {
    struct stat info{};
    if (::lstat(pattern.c_str(), &info) != 0) return {};
    return {pattern};
  }
  const std::size_t slash = pattern.rfind('/');
  const std::string last = slash == std::string::npos ? pattern : pattern.substr(slash + 1);
  // The directory part without its trailing slash, except for the root itself.
  const std::string directory = slash == std::string::npos ? std::string(".")
                                : slash == 0               ? std::string("/")
                                                           : pattern.substr(0, slash);

  std::vector<std::string> matches;
  if (!has_glob_meta(directory)) {
    match_in_directory(directory, last, matches);
    return matches;
  }
  if (directory == pattern) throw BadGlobPattern();
  for (const auto& parent : glob(directory)) match_in_directory(parent, last, matches);
  return matches;
}

}  // namespace coredns::corefile
