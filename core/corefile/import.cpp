#include "core/corefile/import.h"

#include <algorithm>
#include <cerrno>
#include <memory>

#include <fmt/format.h>

#include "core/corefile/glob.h"
#include "core/corefile/lexer.h"
#include "core/util/errno_text.h"
#include "core/util/go_path.h"
#include "core/util/read_file.h"

namespace coredns::corefile {
namespace {

// Globs with many wildcards can take very long to expand, so CoreDNS refuses them.
bool has_too_many_wildcards(std::string_view pattern) {
  auto count = [&](char c) { return std::count(pattern.begin(), pattern.end(), c); };
  const bool has_class = pattern.find('[') != std::string_view::npos &&
                         pattern.find(']') != std::string_view::npos;
  return count('*') > 1 || count('?') > 1 || has_class;
}

}  // namespace

std::vector<std::string> import_files(std::string_view pattern, const std::string& importing_file,
                                      const std::function<void(const std::string&)>& warn) {
  const std::string glob_pattern =
      gopath::is_abs(pattern) ? std::string(pattern)
                              : gopath::join(gopath::dir(gopath::abs(importing_file)), pattern);
  if (has_too_many_wildcards(glob_pattern)) {
    throw ImportError("Glob pattern may only contain one wildcard (*), but has others: " +
                      glob_pattern);
  }
  std::vector<std::string> matches;
  try {
    matches = glob(glob_pattern);
  } catch (const BadGlobPattern& e) {
    throw ImportError(fmt::format("Failed to use import pattern {}: {}", pattern, e.what()));
  }
  if (matches.empty()) {
    if (glob_pattern.find_first_of("*?[]") == std::string::npos) {
      throw ImportError(fmt::format("File to import not found: {}", pattern));
    }
    if (warn) warn(fmt::format("No files matching import glob pattern: {}", pattern));
  }
  return matches;
}

Tokens import_tokens(const std::string& path) {
  std::string text;
  if (const util::FileError failed = util::read_file(path, text)) {
    if (failed.err == EISDIR) throw ImportError(fmt::format("Could not import {}: is a directory", path));
    if (failed.op == std::string_view("open")) {
      throw ImportError(
          fmt::format("Could not import {}: open {}: {}", path, path, go_errno_text(failed.err)));
    }
    throw ImportError(fmt::format("Could not read tokens while importing {}: read {}: {}", path,
                                  path, go_errno_text(failed.err)));
  }
  return lex(text, std::make_shared<const std::string>(gopath::abs(path)));
}

}  // namespace coredns::corefile
