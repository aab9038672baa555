#pragma once
// UTF-8 decoding with Go's rules (unicode/utf8.DecodeRune): an invalid or truncated sequence,
// an overlong form or a surrogate decodes as U+FFFD consuming one byte. Corefile text, keys and
// JSON output must treat malformed bytes exactly as CoreDNS does.
#include <cstddef>
#include <string>
#include <string_view>

namespace coredns::utf8 {

inline constexpr char32_t replacement_char = 0xFFFD;

struct Decoded {
  char32_t rune;
  std::size_t size;  // bytes consumed, at least 1 unless the input is empty
  bool valid;        // false when the bytes were malformed (rune is then U+FFFD, size 1)
};

// Decodes the rune at the start of `s`; `s` must not be empty.
Decoded decode(std::string_view s);

void append(std::string& out, char32_t rune);

}  // namespace coredns::utf8
