#include "core/util/duration.h"

#include <cstdint>
#include <optional>

#include "core/util/error.h"

namespace coredns {
namespace {

constexpr std::uint64_t max_magnitude = std::uint64_t{1} << 63;  // |min int64|

// Go's time package quotes values in its errors with its own minimal quoting: `"` and `\` are
// escaped, control and non-ASCII bytes become \xHH (whole runes, byte by byte).
std::string time_quote(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < ' ' || c >= 0x80) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0x0F];
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += ch;
  }
  return out + '"';
}

ConfigError invalid(std::string_view original) {
  return ConfigError("time: invalid duration " + time_quote(original));
}

std::optional<std::uint64_t> unit_nanoseconds(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs") return 1'000;
  if (unit == "ms") return 1'000'000;
  if (unit == "s") return 1'000'000'000;
  if (unit == "m") return 60'000'000'000;
  if (unit == "h") return 3'600'000'000'000;
  return std::nullopt;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// One "<number><unit>" element of a duration, consumed from the front of `rest`.
std::uint64_t parse_element(std::string_view& rest, std::string_view original) {
  if (!(rest[0] == '.' || is_digit(rest[0]))) throw invalid(original);

  std::uint64_t whole = 0;
  std::size_t i = 0;
  for (; i < rest.size() && is_digit(rest[i]); ++i) {
    if (whole > max_magnitude / 10) throw invalid(original);
    whole = whole * 10 + static_cast<std::uint64_t>(rest[i] - '0');
    if (whole > max_magnitude) throw invalid(original);
  }
  const bool has_whole = i > 0;
  rest.remove_prefix(i);

  // Fraction digits beyond what fits in 63 bits are consumed but ignored, as Go does.
  std::uint64_t fraction = 0;
  double scale = 1;
  bool has_fraction = false;
  if (!rest.empty() && rest[0] == '.') {
    rest.remove_prefix(1);
    bool overflow = false;
    for (i = 0; i < rest.size() && is_digit(rest[i]); ++i) {
      if (overflow) continue;
      if (fraction > (max_magnitude - 1) / 10) {
        overflow = true;
        continue;
      }
      const std::uint64_t next = fraction * 10 + static_cast<std::uint64_t>(rest[i] - '0');
      if (next > max_magnitude) {
        overflow = true;
        continue;
      }
      fraction = next;
      scale *= 10;
    }
    has_fraction = i > 0;
    rest.remove_prefix(i);
  }
  if (!has_whole && !has_fraction) throw invalid(original);

  std::size_t unit_length = 0;
  while (unit_length < rest.size() && rest[unit_length] != '.' && !is_digit(rest[unit_length])) {
    ++unit_length;
  }
  if (unit_length == 0) {
    throw ConfigError("time: missing unit in duration " + time_quote(original));
  }
  const std::string_view unit_text = rest.substr(0, unit_length);
  rest.remove_prefix(unit_length);
  const auto unit = unit_nanoseconds(unit_text);
  if (!unit) {
    throw ConfigError("time: unknown unit " + time_quote(unit_text) + " in duration " +
                      time_quote(original));
  }

  if (whole > max_magnitude / *unit) throw invalid(original);
  std::uint64_t value = whole * *unit;
  if (fraction > 0) {
    // Double precision is enough to be exact to the nanosecond for fractions of an hour.
    value += static_cast<std::uint64_t>(static_cast<double>(fraction) *
                                        (static_cast<double>(*unit) / scale));
    if (value > max_magnitude) throw invalid(original);
  }
  return value;
}

// Appends `value` as a decimal with `precision` fractional digits, trailing zeros dropped.
void append_decimal(std::string& out, std::uint64_t value, int precision) {
  std::string fraction;
  bool significant = false;
  for (int i = 0; i < precision; ++i, value /= 10) {
    const char digit = static_cast<char>('0' + value % 10);
    significant = significant || digit != '0';
    if (significant) fraction.insert(fraction.begin(), digit);
  }
  out += std::to_string(value);
  if (!fraction.empty()) out += '.' + fraction;
}

}  // namespace

Duration parse_duration(std::string_view text) {
  const std::string_view original = text;
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text == "0") return Duration::zero();
  if (text.empty()) throw invalid(original);

  std::uint64_t total = 0;
  while (!text.empty()) {
    total += parse_element(text, original);
    if (total > max_magnitude) throw invalid(original);
  }
  if (negative) return Duration(static_cast<std::int64_t>(0 - total));
  if (total > max_magnitude - 1) throw invalid(original);
  return Duration(static_cast<std::int64_t>(total));
}

std::string format_duration(Duration d) {
  const std::int64_t count = d.count();
  if (count == 0) return "0s";
  std::uint64_t magnitude = count < 0 ? 0 - static_cast<std::uint64_t>(count)
                                      : static_cast<std::uint64_t>(count);
  std::string out = count < 0 ? "-" : "";

  if (magnitude < 1'000'000'000) {
    if (magnitude < 1'000) return out + std::to_string(magnitude) + "ns";
    const bool micro = magnitude < 1'000'000;
    append_decimal(out, magnitude, micro ? 3 : 6);
    return out + (micro ? "\u00b5s" : "ms");
  }

  std::string seconds;
  append_decimal(seconds, magnitude % 60'000'000'000, 9);
  const std::uint64_t minutes = magnitude / 60'000'000'000;
  if (minutes >= 60) out += std::to_string(minutes / 60) + "h";
  if (minutes > 0) out += std::to_string(minutes % 60) + "m";
  return out + seconds + "s";
}

}  // namespace coredns
