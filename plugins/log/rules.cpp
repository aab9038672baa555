#include "plugins/log/rules.h"

#include "core/util/error.h"

namespace coredns::plugins::querylog {
namespace {

uint8_t parse_class(const std::string& word) {
  if (word == "all") return kAllClasses;
  if (word == "success") return kSuccess;
  if (word == "denial") return kDenial;
  if (word == "error") return kError;
  throw ConfigError("invalid Class: " + word);
}

Rule make_rule(std::string name, const Format& format, uint8_t classes) {
  if (name.empty() || name.back() != '.') name.push_back('.');
  Rule r;
  r.matchable = dns::Name::from_text(name, r.zone);
  r.zone.to_lower();
  r.name = std::move(name);
  r.format = format;
  r.classes = classes;
  return r;
}

}  // namespace

uint8_t class_bit(dns::ResponseClass c) {
  switch (c) {
    case dns::ResponseClass::success: return kSuccess;
    case dns::ResponseClass::denial: return kDenial;
    case dns::ResponseClass::error: return kError;
  }
  return kError;
}

std::vector<Rule> parse_rules(corefile::Dispenser& d) {
  std::vector<Rule> rules;
  while (d.next()) {
    std::vector<std::string> names = d.remaining_args();
    std::string format(kCommonFormat);
    if (names.empty()) {
      names.push_back(".");
    } else if (names.size() > 1 && names.back().find('{') != std::string::npos) {
      // With a single argument it is always a name, even `{combined}` (CoreDNS does the same).
      format = expand_aliases(names.back());
      names.pop_back();
    }
    uint8_t classes = 0;
    while (d.next_block()) {
      if (d.val() != "class") throw d.err("unknown property '" + d.val() + "'");
      const std::vector<std::string> words = d.remaining_args();
      if (words.empty()) throw d.arg_err();
      for (const auto& w : words) classes |= parse_class(w);
    }
    if (classes == 0) classes = kAllClasses;
    const Format compiled = compile(format);
    for (auto& name : names) rules.push_back(make_rule(std::move(name), compiled, classes));
  }
  return rules;
}

}  // namespace coredns::plugins::querylog
