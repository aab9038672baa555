#include "core/util/go_quote.h"

#include <fmt/format.h>

#include "core/util/utf8.h"

namespace coredns {
namespace {

// Go prints printable runes verbatim. The non-ASCII runes it escapes that a Corefile could
// plausibly contain are the C1 controls, the soft hyphen, the line/paragraph separators and
// the BOM; other unassigned or format characters are printed verbatim here.
bool is_printable_non_ascii(char32_t rune) {
  if (rune >= 0x80 && rune <= 0xA0) return false;
  if (rune == 0xAD || rune == 0x2028 || rune == 0x2029 || rune == 0xFEFF) return false;
  if (rune >= 0x200B && rune <= 0x200F) return false;
  return true;
}

}  // namespace

std::string go_quote(std::string_view text) {
  std::string out = "\"";
  while (!text.empty()) {
    const auto decoded = utf8::decode(text);
    const std::string_view bytes = text.substr(0, decoded.size);
    text.remove_prefix(decoded.size);
    const char32_t rune = decoded.rune;
    if (!decoded.valid) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(bytes[0]));
    } else if (rune == '"' || rune == '\\') {
      out += '\\';
      out += static_cast<char>(rune);
    } else if (rune >= 0x20 && rune < 0x7F) {
      out += static_cast<char>(rune);
    } else if (rune >= 0x80 && is_printable_non_ascii(rune)) {
      out += bytes;
    } else {
      switch (rune) {
        case '\a': out += "\\a"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\v': out += "\\v"; break;
        default:
          if (rune < 0x80) {
            out += fmt::format("\\x{:02x}", static_cast<unsigned>(rune));
          } else if (rune < 0x10000) {
            out += fmt::format("\\u{:04x}", static_cast<unsigned>(rune));
          } else {
            out += fmt::format("\\U{:08x}", static_cast<unsigned>(rune));
          }
      }
    }
  }
  return out + '"';
}

}  // namespace coredns
