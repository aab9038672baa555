#pragma once
#include <string>
#include <vector>

#include "core/corefile/token.h"
#include "core/util/error.h"

namespace coredns::corefile {

class Parser;

// The token cursor a plugin's setup parses its directive with: CoreDNS's Dispenser (Caddy's
// caddyfile/dispenser.go). It starts before the first token; the first next() lands on the
// directive name.
class Dispenser {
 public:
  Dispenser(Tokens tokens, std::string main_file);

  bool next();          // any next token
  bool next_arg();      // next token only if it is on the same line
  bool next_line();     // next token only if it is on a later line
  bool next_block();    // enter/advance inside a `{ ... }` block opened on the current line
  std::vector<std::string> remaining_args();
  const std::string& val() const;
  int line() const;
  const std::string& file() const;  // imported file's path, else the main Corefile's path
  bool at_end() const;  // true when next() would return false

  // Error builders; each returns a ConfigError with the file:line of the current token.
  ConfigError err(const std::string& message) const;         // "F:L - Error during parsing: M"
  ConfigError arg_err() const;                               // "Wrong argument count ..."
  ConfigError syntax_err(const std::string& expected) const; // "Syntax error: Unexpected token ..."
  ConfigError eof_err() const;

  const Tokens& tokens() const { return tokens_; }

 private:
  // The parser walks (and splices imports into) the token stream with this same cursor, so that
  // its error messages and line logic are the ones plugins see.
  friend class Parser;

  bool same_line_as_current(size_t next_index) const;
  Tokens tokens_;
  std::string main_file_;
  long cursor_ = -1;
  int nesting_ = 0;
};

}  // namespace coredns::corefile
