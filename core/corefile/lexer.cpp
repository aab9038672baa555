#include "core/corefile/lexer.h"

#include "core/util/utf8.h"

namespace coredns::corefile {
namespace {

// Go's unicode.IsSpace.
bool is_space(char32_t c) {
  switch (c) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F:
    case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

class Lexer {
 public:
  explicit Lexer(std::shared_ptr<const std::string> file) : file_(std::move(file)) {}

  Tokens run(std::string_view text) {
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    while (!text.empty()) {
      const auto decoded = utf8::decode(text);
      const std::string_view bytes =
          decoded.valid ? text.substr(0, decoded.size) : std::string_view("\xEF\xBF\xBD");
      text.remove_prefix(decoded.size);
      if (quoted_) {
        quoted_char(decoded.rune, bytes);
      } else {
        plain_char(decoded.rune, bytes);
      }
    }
    // EOF ends the last token; an unterminated quote keeps what it collected, unless nothing.
    if (!value_.empty()) emit();
    return std::move(tokens_);
  }

 private:
  void quoted_char(char32_t c, std::string_view bytes) {
    if (!escaped_) {
      if (c == '\\') {
        escaped_ = true;
        return;
      }
      if (c == '"') {
        emit();
        return;
      }
    }
    if (c == '\n') ++line_;
    // Only \" is an escape; any other backslash stays in the text.
    if (escaped_ && c != '"') value_ += '\\';
    escaped_ = false;
    value_ += bytes;
  }

  void plain_char(char32_t c, std::string_view bytes) {
    if (is_space(c)) {
      if (c == '\r') return;  // deleted, so CRLF files and stray CRs never split a token
      if (c == '\n') {
        ++line_;
        in_comment_ = false;
      }
      if (in_token_) emit();
      return;
    }
    if (c == '#') in_comment_ = true;
    if (in_comment_) return;
    if (!in_token_) {
      in_token_ = true;
      token_line_ = line_;
      if (c == '"') {
        quoted_ = true;
        return;
      }
    }
    value_ += bytes;
  }

  void emit() {
    tokens_.push_back(Token{std::move(value_), token_line_, file_});
    value_.clear();
    in_token_ = quoted_ = escaped_ = false;
  }

  std::shared_ptr<const std::string> file_;
  Tokens tokens_;
  std::string value_;
  int line_ = 1;
  int token_line_ = 1;
  bool in_token_ = false;
  bool quoted_ = false;
  bool escaped_ = false;
  bool in_comment_ = false;
};

}  // namespace

Tokens lex(std::string_view text, std::shared_ptr<const std::string> file) {
  return Lexer(std::move(file)).run(text);
}

}  // namespace coredns::corefile
