// Parsing of the `template` directive, with CoreDNS's error texts (plugin/template/setup.go).
#include <fmt/format.h>

#include "core/dns/rr_text.h"
#include "core/dns/types.h"
#include "core/util/error.h"
#include "plugins/template/template.h"

namespace coredns::plugins::tmpl {
namespace {

// CoreDNS takes only the exact mnemonics, not "CLASS42" / "TYPE99".
bool exact_mnemonic(std::string_view text, bool (*parse)(std::string_view, uint16_t&),
                    std::string (*print)(uint16_t), uint16_t& out) {
  return parse(text, out) && print(out) == text;
}

void add_templates(corefile::Dispenser& d, const std::string& section, std::vector<Template>& out) {
  const std::vector<std::string> args = d.remaining_args();
  if (args.empty()) throw d.arg_err();
  for (const auto& a : args) {
    try {
      out.emplace_back(section, a);
    } catch (const TemplateError& e) {
      throw d.err(fmt::format("could not compile template: {}, {}", args.back(), e.what()));
    }
  }
}

void parse_option(corefile::Dispenser& d, Rule& r) {
  const std::string word = d.val();
  if (word == "match") {
    const std::vector<std::string> args = d.remaining_args();
    if (args.empty()) throw d.arg_err();
    for (const auto& a : args) {
      try {
        Regex::check_length(a);
      } catch (const ConfigError& e) {
        throw d.err(e.what());
      }
      try {
        r.regexes.emplace_back(a);
      } catch (const ConfigError& e) {
        throw d.err(fmt::format("could not parse regex: {}, {}", a, e.what()));
      }
    }
  } else if (word == "answer" || word == "additional" || word == "authority") {
    add_templates(d, word, word == "answer" ? r.answer : word == "additional" ? r.additional : r.authority);
  } else if (word == "rcode") {
    const std::vector<std::string> args = d.remaining_args();
    if (args.size() != 1) throw d.arg_err();
    uint16_t rc;
    // BADSIG shares 16 with BADVERS (RFC 6891 §9, RFC 8945 §6).
    if (args[0] == "BADSIG") rc = dns::rcode::BADVERS;
    else if (!dns::parse_rcode(args[0], rc)) throw d.err("unknown rcode " + args[0]);
    r.rcode = rc;
  } else if (word == "ederror") {
    const std::vector<std::string> args = d.remaining_args();
    if (args.empty() || args.size() > 2) throw d.arg_err();
    const std::string& code = args[0];
    uint32_t v = 0;
    bool ok = !code.empty() && code.size() <= 5;
    for (char c : code) ok = ok && c >= '0' && c <= '9' && (v = v * 10 + static_cast<uint32_t>(c - '0'), true);
    if (!ok || v > 65535)
      throw d.err(fmt::format("error parsing extended DNS error code {}, strconv.ParseUint: parsing "
                              "\"{}\": {}",
                              args.back(), code, ok ? "value out of range" : "invalid syntax"));
    r.ede_code = static_cast<uint16_t>(v);
    r.ede_text = args.size() == 2 ? args[1] : "";
  } else if (word == "fallthrough") {
    r.fall.set(d.remaining_args());
  } else if (word == "upstream") {
    d.remaining_args();  // deprecated in CoreDNS: CNAME targets are always looked up
  } else if (word == "var" || word == "expr") {
    throw d.err(fmt::format("'{}' is not supported (CoreDNS has it only after v1.14.7)", word));
  } else {
    throw d.arg_err();
  }
}

}  // namespace

std::vector<Rule> parse_rules(corefile::Dispenser& d, const std::vector<corefile::ZoneAddress>& block) {
  std::vector<Rule> rules;
  while (d.next()) {
    const std::vector<std::string> args = d.remaining_args();
    if (args.size() < 2) throw d.arg_err();
    Rule r;
    if (!exact_mnemonic(args[0], dns::parse_class, dns::class_name, r.qclass))
      throw d.err("invalid query class " + args[0]);
    if (!exact_mnemonic(args[1], dns::parse_type, dns::type_name, r.qtype) ||
        args[1].starts_with("TYPE"))
      throw d.err("invalid RR class " + args[1]);
    r.zones = origins_from_args_or_block({args.begin() + 2, args.end()}, block);
    while (d.next_block()) parse_option(d, r);
    if (r.regexes.empty()) r.regexes.emplace_back(".*");
    rules.push_back(std::move(r));
  }
  return rules;
}

}  // namespace coredns::plugins::tmpl
