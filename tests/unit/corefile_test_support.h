#pragma once
// Helpers shared by the Corefile unit tests: parsing with the test build's directive list,
// readable summaries of parse results, and scoped temp dirs / working directory / env vars.
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/corefile/parser.h"
#include "core/util/error.h"

namespace corefile_test {

using namespace coredns::corefile;

// The directives of a test build (errors, log, health, reload, debug, whoami,
// cache, dns64, forward); a few upstream names are "known but not built".
inline DirectiveKind test_directive_kind(std::string_view name) {
  static const std::set<std::string, std::less<>> built = {
      "reload", "debug", "health", "errors", "log", "dns64", "cache", "forward", "whoami"};
  static const std::set<std::string, std::less<>> not_built = {"prometheus", "ready",
                                                               "kubernetes", "loop"};
  if (built.contains(name)) return DirectiveKind::built;
  if (not_built.contains(name)) return DirectiveKind::known_not_built;
  return DirectiveKind::unknown;
}

inline ParseOptions test_options(std::string path = "Corefile") {
  ParseOptions options;
  options.path = std::move(path);
  options.directive_kind = test_directive_kind;
  return options;
}

inline std::string parse_error(std::string_view text, const ParseOptions& options = test_options()) {
  try {
    parse(text, options);
  } catch (const coredns::ConfigError& e) {
    return e.what();
  }
  return "<no error>";
}

inline std::vector<std::string> texts(const Tokens& tokens) {
  std::vector<std::string> out;
  for (const auto& token : tokens) out.push_back(token.text);
  return out;
}

// "key1,key2 {dir[tok tok]; dir2[tok]}" per block, blocks separated by " | ".
inline std::string describe(const std::vector<ServerBlock>& blocks) {
  std::string out;
  for (const auto& block : blocks) {
    if (!out.empty()) out += " | ";
    for (std::size_t i = 0; i < block.keys.size(); ++i) out += (i ? "," : "") + block.keys[i];
    out += " {";
    for (std::size_t d = 0; d < block.directives.size(); ++d) {
      if (d) out += "; ";
      out += block.directives[d].first + "[";
      const auto words = texts(block.directives[d].second);
      for (std::size_t w = 0; w < words.size(); ++w) out += (w ? " " : "") + words[w];
      out += "]";
    }
    out += "}";
  }
  return out;
}

inline std::string describe_parse(std::string_view text, const ParseOptions& options = test_options()) {
  return describe(parse(text, options));
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "corefile-test-XXXXXX").string();
    path_ = std::filesystem::canonical(::mkdtemp(pattern.data()));
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  const std::filesystem::path& path() const { return path_; }
  std::string abs(const std::string& relative) const { return (path_ / relative).string(); }

  void write(const std::string& relative, std::string_view content) const {
    const auto file = path_ / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << content;
  }
  void mkdir(const std::string& relative) const {
    std::filesystem::create_directories(path_ / relative);
  }

 private:
  std::filesystem::path path_;
};

class WorkingDirectory {
 public:
  explicit WorkingDirectory(const std::filesystem::path& dir)
      : previous_(std::filesystem::current_path()) {
    std::filesystem::current_path(dir);
  }
  WorkingDirectory(const WorkingDirectory&) = delete;
  WorkingDirectory& operator=(const WorkingDirectory&) = delete;
  ~WorkingDirectory() { std::filesystem::current_path(previous_); }

 private:
  std::filesystem::path previous_;
};

// Sets (or, with nullopt, unsets) an environment variable for the scope.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, std::optional<std::string> value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) previous_ = old;
    apply(value);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
  ~ScopedEnv() { apply(previous_); }

 private:
  void apply(const std::optional<std::string>& value) {
    if (value) {
      ::setenv(name_.c_str(), value->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  std::string name_;
  std::optional<std::string> previous_;
};

}  // namespace corefile_test
