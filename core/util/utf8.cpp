#include "core/util/utf8.h"

namespace coredns::utf8 {
namespace {

bool is_continuation(unsigned char c, unsigned char low = 0x80, unsigned char high = 0xBF) {
  return c >= low && c <= high;
}

}  // namespace

Decoded decode(std::string_view s) {
  const Decoded invalid{replacement_char, 1, false};
  const auto b0 = static_cast<unsigned char>(s[0]);
  if (b0 < 0x80) return {b0, 1, true};
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };

  std::size_t size = 0;
  // The second byte's range is narrowed for some lead bytes to exclude overlong forms,
  // surrogates (U+D800..U+DFFF) and values above U+10FFFF.
  unsigned char low = 0x80, high = 0xBF;
  char32_t rune = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    size = 2, rune = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    size = 3, rune = b0 & 0x0F;
    if (b0 == 0xE0) low = 0xA0;
    if (b0 == 0xED) high = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    size = 4, rune = b0 & 0x07;
    if (b0 == 0xF0) low = 0x90;
    if (b0 == 0xF4) high = 0x8F;
  } else {
    return invalid;
  }
  if (s.size() < size || !is_continuation(byte(1), low, high)) return invalid;
  for (std::size_t i = 1; i < size; ++i) {
    if (i > 1 && !is_continuation(byte(i))) return invalid;
    rune = (rune << 6) | (byte(i) & 0x3F);
  }
  return {rune, size, true};
}

void append(std::string& out, char32_t rune) {
  if (rune < 0x80) {
    out += static_cast<char>(rune);
  } else if (rune < 0x800) {
    out += static_cast<char>(0xC0 | (rune >> 6));
    out += static_cast<char>(0x80 | (rune & 0x3F));
  } else if (rune < 0x10000) {
    out += static_cast<char>(0xE0 | (rune >> 12));
    out += static_cast<char>(0x80 | ((rune >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (rune & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (rune >> 18));
    out += static_cast<char>(0x80 | ((rune >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((rune >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (rune & 0x3F));
  }
}

}  // namespace coredns::utf8
