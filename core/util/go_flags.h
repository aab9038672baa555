#pragma once
// Command-line parsing with the semantics of Go's flag package, which CoreDNS uses: one or two
// dashes, "-name=value" or "-name value", bool flags without a separate value, parsing stops at
// the first non-flag argument or "--".
#include <string>
#include <vector>

namespace coredns::cli {

struct Flag {
  std::string name;
  std::string usage;
  bool is_bool = false;
  std::string default_value;  // as Go prints it in the usage text
  std::string* target_string = nullptr;
  bool* target_bool = nullptr;
};

struct ParseResult {
  enum Outcome { ok, help, error } outcome = ok;
  std::string message;                 // for error: "flag provided but not defined: -x"
  std::vector<std::string> positional;
};

ParseResult parse_flags(const std::vector<Flag>& flags, int argc, char** argv);

// Go's usage text: "Usage of ARGV0:" and the flags sorted by name.
std::string usage_text(const std::vector<Flag>& flags, const std::string& argv0);

}  // namespace coredns::cli
