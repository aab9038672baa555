#include "plugins/dns64/config.h"

#include <fmt/format.h>

namespace coredns::plugins::dns64 {
namespace {

Prefix64 parse_prefix(const corefile::Dispenser& d, const std::string& text) {
  std::string error;
  auto p = Prefix64::parse(text, error);
  if (!p) throw d.err(error);
  return *p;
}

std::vector<std::string> at_least_one_arg(corefile::Dispenser& d) {
  auto args = d.remaining_args();
  if (args.empty()) throw d.arg_err();
  return args;
}

void add_domains(corefile::Dispenser& d, const std::vector<std::string>& args, DomainSet& to) {
  for (const std::string& a : args) {
    // A one-line block ends in "}" on the option's line: an argument error, as in CoreDNS.
    if (a == "}") throw d.arg_err();
    dns::Name n;
    if (!dns::Name::from_text(a, n)) throw d.err(fmt::format("invalid domain name '{}'", a));
    to.add(n);
  }
}

Cidr parse_cidr(const corefile::Dispenser& d, const std::string& text, bool ipv6_only) {
  auto c = Cidr::parse(text, /*unmap=*/!ipv6_only);
  if (!c || (ipv6_only && c->family != AF_INET6))
    throw d.err(fmt::format("invalid {} '{}'", ipv6_only ? "IPv6 prefix" : "address prefix", text));
  return *c;
}

}  // namespace

Config::Config() { exclude.add(*Cidr::parse("::ffff:0:0/96")); }

Config parse_config(corefile::Dispenser& d, std::vector<std::string>& warnings) {
  Config c;
  const auto line_args = d.remaining_args();
  if (line_args.size() > 1) throw d.arg_err();
  const bool prefix_on_line = line_args.size() == 1;
  if (prefix_on_line) c.prefix = parse_prefix(d, line_args[0]);

  bool exclude_given = false;
  int allow_ipv4_line = 0;
  while (d.next_block()) {
    const std::string option = d.val();
    const int line = d.line();
    if (option == "prefix") {
      const auto args = d.remaining_args();
      if (args.size() != 1) throw d.arg_err();
      c.prefix = parse_prefix(d, args[0]);
    } else if (option == "translate_all") {
      const auto args = d.remaining_args();
      if (args.empty()) c.translate_all = true;
      add_domains(d, args, c.translate_all_domains);
    } else if (option == "allow_ipv4") {
      if (d.next_arg()) throw d.arg_err();
      c.allow_ipv4 = true;
      allow_ipv4_line = line;
    } else if (option == "allow_non_global") {
      if (d.next_arg()) throw d.arg_err();
      c.allow_non_global = true;
    } else if (option == "exclude") {
      const auto args = at_least_one_arg(d);
      if (!exclude_given) c.exclude.clear();
      exclude_given = true;
      for (const auto& a : args) c.exclude.add(parse_cidr(d, a, true));
    } else if (option == "except") {
      add_domains(d, at_least_one_arg(d), c.except);
    } else if (option == "clients") {
      for (const auto& a : at_least_one_arg(d)) c.clients.add(parse_cidr(d, a, false));
    } else {
      throw d.err(fmt::format("unknown property '{}'", option));
    }
    // CoreDNS reads no block after a PREFIX on the directive line: it would have ignored these.
    if (prefix_on_line && (option == "translate_all" || option == "allow_ipv4"))
      warnings.push_back(fmt::format(
          "{}:{}: {} is applied, but CoreDNS ignores it when the prefix is on the dns64 line",
          d.file(), line, option));
  }
  if (allow_ipv4_line && !c.clients.empty())
    warnings.push_back(fmt::format("{}:{}: allow_ipv4 has no effect: clients decides who is served",
                                   d.file(), allow_ipv4_line));
  return c;
}

}  // namespace coredns::plugins::dns64
