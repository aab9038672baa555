#include "core/util/go_strconv.h"

#include <fmt/format.h>

#include "core/util/error.h"
#include "core/util/go_quote.h"

namespace coredns {

int64_t go_atoi(std::string_view text) {
  std::string_view digits = text;
  bool negative = false;
  if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) {
    negative = digits.front() == '-';
    digits.remove_prefix(1);
  }
  auto fail = [&](const char* why) {
    return ConfigError(fmt::format("strconv.Atoi: parsing {}: {}", go_quote(text), why));
  };
  if (digits.empty()) throw fail("invalid syntax");
  // As Go: the digits are read as an unsigned 64-bit number, whose overflow is reported at once
  // (before any later syntax error); the int64 range is checked at the end.
  uint64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') throw fail("invalid syntax");
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) throw fail("value out of range");
    value = value * 10 + digit;
  }
  const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  if (value > limit) throw fail("value out of range");
  return negative ? static_cast<int64_t>(0 - value) : static_cast<int64_t>(value);
}

}  // namespace coredns
