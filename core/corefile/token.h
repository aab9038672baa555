#pragma once
#include <memory>
#include <string>
#include <vector>

namespace coredns::corefile {

// One lexical token of a Corefile. `file` is empty for tokens of the main Corefile and holds the
// absolute path for tokens that came from an imported file (as CoreDNS records them).
struct Token {
  std::string text;
  int line = 0;
  std::shared_ptr<const std::string> file;

  const std::string& file_name() const;  // "" for the main Corefile
  int newlines() const;                  // '\n' characters inside a quoted token
};

using Tokens = std::vector<Token>;

// Line adjacency as CoreDNS judges it: a quoted token spanning N lines ends N lines below its
// start line, and tokens from different files are never on the same line.
bool on_same_line(const Token& previous, const Token& next);   // next continues previous' line
bool on_later_line(const Token& previous, const Token& next);  // next starts a new line

}  // namespace coredns::corefile
