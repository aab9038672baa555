#include "core/util/regex.h"

#include <re2/re2.h>

#include <fmt/format.h>

#include "core/util/error.h"

namespace coredns {
namespace {

// Go's regexp/syntax error codes (ErrorCode strings) for RE2's: Go's package is RE2's port, so
// the conditions are the same.
std::string_view go_error_code(re2::RE2::ErrorCode c) {
  switch (c) {
    case re2::RE2::ErrorBadEscape: return "invalid escape sequence";
    case re2::RE2::ErrorBadCharClass: return "invalid character class";
    case re2::RE2::ErrorBadCharRange: return "invalid character class range";
    case re2::RE2::ErrorMissingBracket: return "missing closing ]";
    case re2::RE2::ErrorMissingParen: return "missing closing )";
    case re2::RE2::ErrorUnexpectedParen: return "unexpected )";
    case re2::RE2::ErrorTrailingBackslash: return "trailing backslash at end of expression";
    case re2::RE2::ErrorRepeatArgument: return "missing argument to repetition operator";
    case re2::RE2::ErrorRepeatSize: return "invalid repeat count";
    case re2::RE2::ErrorRepeatOp: return "invalid nested repetition operator";
    case re2::RE2::ErrorBadPerlOp: return "invalid or unsupported Perl syntax";
    case re2::RE2::ErrorBadUTF8: return "invalid UTF-8";
    case re2::RE2::ErrorBadNamedCapture: return "invalid named capture";
    case re2::RE2::ErrorPatternTooLarge: return "expression too large";
    default: return "unexpected error";
  }
}

}  // namespace

Regex::Regex(std::string_view pattern) {
  re2::RE2::Options o;
  o.set_log_errors(false);
  re_ = std::make_shared<const re2::RE2>(re2::StringPiece(pattern.data(), pattern.size()), o);
  if (!re_->ok())
    throw ConfigError(fmt::format("error parsing regexp: {}: `{}`",
                                  go_error_code(re_->error_code()), re_->error_arg()));
}

void Regex::check_length(std::string_view pattern) {
  if (pattern.size() > kMaxRegexLength)
    throw ConfigError(
        fmt::format("regex pattern too long: {} > {}", pattern.size(), kMaxRegexLength));
}

bool Regex::search(std::string_view text) const {
  return re2::RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re_);
}

bool Regex::search(std::string_view text, std::vector<std::string>& groups) const {
  const int n = re_->NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> sub(static_cast<size_t>(n));
  if (!re_->Match(re2::StringPiece(text.data(), text.size()), 0, text.size(),
                  re2::RE2::UNANCHORED, sub.data(), n))
    return false;
  groups.clear();
  for (const auto& s : sub) groups.emplace_back(s.data() ? std::string(s.data(), s.size()) : "");
  return true;
}

int Regex::group_count() const { return re_->NumberOfCapturingGroups(); }
const std::map<std::string, int>& Regex::named_groups() const {
  return re_->NamedCapturingGroups();
}
const std::string& Regex::pattern() const { return re_->pattern(); }

}  // namespace coredns
