#include "core/corefile/token.h"

#include <algorithm>

namespace coredns::corefile {

const std::string& Token::file_name() const {
  static const std::string main_file;
  return file ? *file : main_file;
}

int Token::newlines() const { return static_cast<int>(std::count(text.begin(), text.end(), '\n')); }

bool on_same_line(const Token& previous, const Token& next) {
  return previous.file_name() == next.file_name() &&
         previous.line + previous.newlines() == next.line;
}

bool on_later_line(const Token& previous, const Token& next) {
  return previous.file_name() != next.file_name() ||
         previous.line + previous.newlines() < next.line;
}

}  // namespace coredns::corefile
