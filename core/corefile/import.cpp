#include "core/corefile/import.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include <fmt/format.h>

#include "core/corefile/glob.h"
#include "core/corefile/lexer.h"
#include "core/util/errno_text.h"
#include "core/util/go_path.h"

namespace coredns::corefile {
namespace {

// Globs with many wildcards can take very long to expand, so CoreDNS refuses them.
bool has_too_many_wildcards(std::string_view pattern) {
  auto count = [&](char c) { return std::count(pattern.begin(), pattern.end(), c); };
  const bool has_class = pattern.find('[') != std::string_view::npos &&
                         pattern.find(']') != std::string_view::npos;
  return count('*') > 1 || count('?') > 1 || has_class;
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

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
  const FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) {
    throw ImportError(
        fmt::format("Could not import {}: open {}: {}", path, path, go_errno_text(errno)));
  }
  struct stat info{};
  if (::fstat(file.get(), &info) != 0) {
    throw ImportError(
        fmt::format("Could not import {}: stat {}: {}", path, path, go_errno_text(errno)));
  }
  if (S_ISDIR(info.st_mode)) throw ImportError(fmt::format("Could not import {}: is a directory", path));

  std::string text;
  char buffer[65536];
  for (;;) {
    const ssize_t got = ::read(file.get(), buffer, sizeof buffer);
    if (got == 0) break;
    if (got < 0) {
      if (errno == EINTR) continue;
      throw ImportError(fmt::format("Could not read tokens while importing {}: read {}: {}", path,
                                    path, go_errno_text(errno)));
    }
    text.append(buffer, static_cast<size_t>(got));
  }
  return lex(text, std::make_shared<const std::string>(gopath::abs(path)));
}

}  // namespace coredns::corefile
