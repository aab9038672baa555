// The reload plugin's change detector (CoreDNS's plugin/reload/reload.go): the parsed server
// blocks serialised the way Go's encoding/json serialises CoreDNS's []ServerBlock, and the SHA-512
// of that.
#include <algorithm>

#include <fmt/format.h>

#include "core/corefile/parser.h"
#include "core/util/sha512.h"
#include "core/util/utf8.h"

namespace coredns::corefile {
namespace {

// Go's encoding/json string escaping with its default HTML-safe setting.
void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  while (!text.empty()) {
    const auto decoded = utf8::decode(text);
    const std::string_view bytes = text.substr(0, decoded.size);
    text.remove_prefix(decoded.size);
    if (!decoded.valid) {
      out += "\\ufffd";
      continue;
    }
    switch (const char32_t rune = decoded.rune) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '<': case '>': case '&': case 0x2028: case 0x2029:
        out += fmt::format("\\u{:04x}", static_cast<unsigned>(rune));
        break;
      default:
        if (rune < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(rune));
        } else {
          out += bytes;
        }
    }
  }
  out += '"';
}

void append_token(std::string& out, const Token& token) {
  out += "{\"File\":";
  append_json_string(out, token.file_name());
  out += fmt::format(",\"Line\":{},\"Text\":", token.line);
  append_json_string(out, token.text);
  out += '}';
}

template <typename Range, typename AppendItem>
void append_array(std::string& out, const Range& items, AppendItem append_item) {
  out += '[';
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += ',';
    first = false;
    append_item(out, item);
  }
  out += ']';
}

void append_block(std::string& out, const ServerBlock& block) {
  out += "{\"Keys\":";
  if (block.keys.empty()) {
    out += "null";  // a nil slice
  } else {
    append_array(out, block.keys, append_json_string);
  }
  // Go writes map keys sorted bytewise.
  std::vector<const std::pair<std::string, Tokens>*> directives;
  for (const auto& directive : block.directives) directives.push_back(&directive);
  std::sort(directives.begin(), directives.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  out += ",\"Tokens\":{";
  for (std::size_t i = 0; i < directives.size(); ++i) {
    if (i > 0) out += ',';
    append_json_string(out, directives[i]->first);
    out += ':';
    append_array(out, directives[i]->second, append_token);
  }
  out += "}}";
}

}  // namespace

std::string fingerprint_json(const std::vector<ServerBlock>& blocks) {
  if (blocks.empty()) return "null";
  std::string out;
  append_array(out, blocks, append_block);
  return out;
}

std::string fingerprint_sha512(const std::vector<ServerBlock>& blocks) {
  return sha512_hex(fingerprint_json(blocks));
}

}  // namespace coredns::corefile
