#include "core/corefile/dispenser.h"

#include <fmt/format.h>

namespace coredns::corefile {

Dispenser::Dispenser(Tokens tokens, std::string main_file)
    : tokens_(std::move(tokens)), main_file_(std::move(main_file)) {}

bool Dispenser::next() {
  if (cursor_ + 1 < static_cast<long>(tokens_.size())) {
    ++cursor_;
    return true;
  }
  return false;
}

bool Dispenser::same_line_as_current(size_t next_index) const {
  return on_same_line(tokens_[static_cast<size_t>(cursor_)], tokens_[next_index]);
}

bool Dispenser::next_arg() {
  if (cursor_ < 0) return next();
  const auto following = static_cast<size_t>(cursor_ + 1);
  if (following < tokens_.size() && same_line_as_current(following)) {
    ++cursor_;
    return true;
  }
  return false;
}

bool Dispenser::next_line() {
  if (cursor_ < 0) return next();
  const auto following = static_cast<size_t>(cursor_ + 1);
  if (following < tokens_.size() &&
      on_later_line(tokens_[static_cast<size_t>(cursor_)], tokens_[following])) {
    ++cursor_;
    return true;
  }
  return false;
}

bool Dispenser::next_block() {
  if (nesting_ > 0) {
    if (!next()) return false;
    if (val() == "}") {
      --nesting_;
      return false;
    }
    return true;
  }
  // A block must open on the directive's line; anything else is left for the caller.
  if (!next_arg()) return false;
  if (val() != "{") {
    --cursor_;
    return false;
  }
  if (!next() || val() == "}") return false;
  ++nesting_;
  return true;
}

std::vector<std::string> Dispenser::remaining_args() {
  std::vector<std::string> args;
  while (next_arg()) {
    if (val() == "{") {
      --cursor_;
      break;
    }
    args.push_back(val());
  }
  return args;
}

const std::string& Dispenser::val() const {
  static const std::string none;
  if (cursor_ < 0 || cursor_ >= static_cast<long>(tokens_.size())) return none;
  return tokens_[static_cast<size_t>(cursor_)].text;
}

int Dispenser::line() const {
  if (cursor_ < 0 || cursor_ >= static_cast<long>(tokens_.size())) return 0;
  return tokens_[static_cast<size_t>(cursor_)].line;
}

const std::string& Dispenser::file() const {
  if (cursor_ < 0 || cursor_ >= static_cast<long>(tokens_.size())) return main_file_;
  const std::string& imported = tokens_[static_cast<size_t>(cursor_)].file_name();
  return imported.empty() ? main_file_ : imported;
}

bool Dispenser::at_end() const { return cursor_ + 1 >= static_cast<long>(tokens_.size()); }

ConfigError Dispenser::err(const std::string& message) const {
  return ConfigError(fmt::format("{}:{} - Error during parsing: {}", file(), line(), message));
}

ConfigError Dispenser::arg_err() const {
  if (val() == "{") return err("Unexpected token '{', expecting argument");
  return err(fmt::format("Wrong argument count or unexpected line ending after '{}'", val()));
}

ConfigError Dispenser::syntax_err(const std::string& expected) const {
  return ConfigError(fmt::format("{}:{} - Syntax error: Unexpected token '{}', expecting '{}'",
                                 file(), line(), val(), expected));
}

ConfigError Dispenser::eof_err() const { return err("Unexpected EOF"); }

}  // namespace coredns::corefile
