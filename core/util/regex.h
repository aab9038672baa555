#pragma once
// Regular expressions as Go's regexp package (and so CoreDNS) has them: RE2 syntax, matched in
// time linear in the input, so that a pattern applied to names a client chose cannot be made
// slow. One engine for every plugin that takes patterns from the Corefile.
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace coredns {

// The longest pattern CoreDNS's plugins accept, in bytes.
inline constexpr size_t kMaxRegexLength = 10000;

class Regex {
 public:
  // Compiles `pattern`; throws ConfigError with Go's text ("error parsing regexp: missing
  // closing ): `(abc`").
  // Copies share the compiled program (RE2 matches from several threads at once).
  explicit Regex(std::string_view pattern);

  // Throws ConfigError "regex pattern too long: N > 10000" (CoreDNS's text) for a pattern over
  // kMaxRegexLength.
  static void check_length(std::string_view pattern);

  // Whether the pattern occurs anywhere in `text` (unanchored unless it says ^ or $).
  bool search(std::string_view text) const;
  // The leftmost match as Go's FindStringSubmatch: [0] the whole match, then one entry per group
  // ("" for a group that did not take part). False, `groups` untouched, if there is none.
  bool search(std::string_view text, std::vector<std::string>& groups) const;

  int group_count() const;
  // Named groups, name -> group number (Go's SubexpNames).
  const std::map<std::string, int>& named_groups() const;
  const std::string& pattern() const;

 private:
  std::shared_ptr<const re2::RE2> re_;
};

}  // namespace coredns
