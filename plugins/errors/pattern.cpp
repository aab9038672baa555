#include "plugins/errors/pattern.h"

#include <fmt/format.h>

#include <optional>

#include "core/util/error.h"

namespace coredns::plugins::errors {
namespace {

struct Syntax {
  std::string code;      // Go's regexp/syntax error code text
  std::string fragment;  // the part of the pattern Go quotes
};

ConfigError syntax_error(const Syntax& s) {
  return ConfigError(fmt::format("error parsing regexp: {}: `{}`", s.code, s.fragment));
}

bool is_special(char c) { return std::string_view("\\^$.|?*+()[]{}").find(c) != std::string::npos; }

// RE2 allows flags up front, "(?i)" and friends. Only case-insensitivity changes whether a
// one-line error text matches: s, m and U do not (U only changes what a match spans).
std::string_view strip_leading_flags(std::string_view pattern, bool& icase) {
  icase = false;
  if (!pattern.starts_with("(?")) return pattern;
  const size_t close = pattern.find(')');
  if (close == std::string_view::npos || close == 2) return pattern;
  const std::string_view flags = pattern.substr(2, close - 2);
  if (flags.find_first_not_of("imsU") != std::string_view::npos) return pattern;
  icase = flags.find('i') != std::string_view::npos;
  return pattern.substr(close + 1);
}

// Rewrites the RE2 escapes that ECMAScript reads differently, outside bracket expressions:
// \A and \z (start and end of text) become ^ and $ (the same without multi-line mode), \Q...\E
// becomes its text with specials escaped. \p and \P (Unicode classes) have no equivalent and
// would silently match the letter p, so they are refused.
std::string translate(std::string_view p) {
  std::string out;
  out.reserve(p.size());
  bool in_brackets = false;
  for (size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c != '\\' || i + 1 == p.size()) {
      if (c == '[' && !in_brackets) {
        in_brackets = true;
        out.push_back(c);
        // A ']' right after '[' or '[^' is a literal member.
        if (i + 1 < p.size() && p[i + 1] == '^') out.push_back(p[++i]);
        if (i + 1 < p.size() && p[i + 1] == ']') out.push_back(p[++i]);
        continue;
      }
      if (c == '[' && in_brackets && i + 1 < p.size() && p[i + 1] == ':') {
        const size_t end = p.find(":]", i + 2);
        if (end != std::string_view::npos) {
          out.append(p.substr(i, end + 2 - i));
          i = end + 1;
          continue;
        }
      }
      if (c == ']') in_brackets = false;
      out.push_back(c);
      continue;
    }
    const char e = p[++i];
    if (e == 'p' || e == 'P')
      throw ConfigError(fmt::format(
          "error parsing regexp: Unicode classes (\\{}) are not supported: `{}`", e, p));
    if (!in_brackets && e == 'A') {
      out.push_back('^');
    } else if (!in_brackets && e == 'z') {
      out.push_back('$');
    } else if (!in_brackets && e == 'Q') {
      size_t end = p.find("\\E", i + 1);
      if (end == std::string_view::npos) end = p.size();
      for (char q : p.substr(i + 1, end - i - 1)) {
        if (is_special(q)) out.push_back('\\');
        out.push_back(q);
      }
      i = end == p.size() ? end : end + 1;
    } else {
      out.push_back('\\');
      out.push_back(e);
    }
  }
  return out;
}

// Where a repetition operator has nothing to repeat: at the start, or after '(' or '|'.
std::optional<char> dangling_repeat(std::string_view p) {
  bool in_brackets = false;
  char prev = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\') {
      ++i;
      prev = 'x';
      continue;
    }
    if (in_brackets) {
      in_brackets = c != ']';
      prev = 'x';
      continue;
    }
    if (c == '[') in_brackets = true;
    if (c == '?' && prev == '(') {  // "(?", a group extension
      prev = 'x';
      continue;
    }
    if ((c == '*' || c == '+' || c == '?') && (prev == 0 || prev == '(' || prev == '|')) return c;
    prev = c;
  }
  return std::nullopt;
}

// Go's regexp/syntax error code and quoted fragment for a pattern std::regex refused.
Syntax go_syntax_error(const std::regex_error& e, std::string_view p) {
  const std::string whole(p);
  switch (e.code()) {
    // libstdc++ reports a dangling repetition and "(?" forms as parenthesis errors too.
    case std::regex_constants::error_paren:
    case std::regex_constants::error_badrepeat: {
      if (auto op = dangling_repeat(p)) return {"missing argument to repetition operator", {*op}};
      const size_t perl = p.find("(?");
      if (perl != std::string_view::npos && perl + 2 < p.size() && p[perl + 2] != ':')
        return {"invalid or unsupported Perl syntax", std::string(p.substr(perl, 3))};
      int depth = 0;
      for (size_t i = 0; i < p.size(); ++i) {
        if (p[i] == '\\') ++i;
        else if (p[i] == '(') ++depth;
        else if (p[i] == ')' && --depth < 0) return {"unexpected )", whole};
      }
      return {"missing closing )", whole};
    }
    case std::regex_constants::error_brack: {
      const size_t open = p.rfind('[');
      return {"missing closing ]", std::string(p.substr(open == std::string_view::npos ? 0 : open))};
    }
    case std::regex_constants::error_escape:
    case std::regex_constants::error_backref: {
      size_t slashes = 0;
      for (size_t i = p.size(); i > 0 && p[i - 1] == '\\'; --i) ++slashes;
      if (slashes % 2 == 1) return {"trailing backslash at end of expression", ""};
      return {"invalid escape sequence", whole};
    }
    case std::regex_constants::error_range: return {"invalid character class range", whole};
    case std::regex_constants::error_collate:
    case std::regex_constants::error_ctype: return {"invalid character class", whole};
    case std::regex_constants::error_brace:
    case std::regex_constants::error_badbrace: return {"invalid repeat count", whole};
    case std::regex_constants::error_complexity:
    case std::regex_constants::error_stack: return {"expression too large", whole};
    default: return {"invalid or unsupported Perl syntax", whole};
  }
}

}  // namespace

std::regex compile_pattern(const std::string& pattern) {
  if (pattern.size() > kMaxPatternLength)
    throw ConfigError(
        fmt::format("regex pattern too long: {} > {}", pattern.size(), kMaxPatternLength));
  bool icase = false;
  const std::string_view body = strip_leading_flags(pattern, icase);
  auto flags = std::regex::ECMAScript;
  if (icase) flags |= std::regex::icase;
  try {
    return std::regex(translate(body), flags);
  } catch (const std::regex_error& e) {
    throw syntax_error(go_syntax_error(e, pattern));
  }
}

}  // namespace coredns::plugins::errors
