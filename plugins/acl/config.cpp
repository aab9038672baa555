#include "plugins/acl/config.h"

#include <algorithm>

#include "core/dns/types.h"
#include "core/plugin/zones.h"

namespace coredns::plugins::acl {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(dns::ascii_lower(static_cast<uint8_t>(c)));
  return s;
}

bool is_section_word(const std::string& token) {
  const std::string l = lower(token);
  return l == "type" || l == "net";
}

// A type mnemonic as CoreDNS spells it (upper case; no TYPEnnn form).
bool parse_qtype(const std::string& token, uint16_t& out) {
  if (token.size() > 4 && token.compare(0, 4, "TYPE") == 0 &&
      std::isdigit(static_cast<unsigned char>(token[4])))
    return false;
  return dns::parse_type(token, out) && dns::type_name(out) == token;
}

Policy parse_policy(corefile::Dispenser& d) {
  Policy p;
  const std::string action = lower(d.val());
  if (action == "allow") p.action = Action::allow;
  else if (action == "block") p.action = Action::block;
  else if (action == "filter") p.action = Action::filter;
  else if (action == "drop") p.action = Action::drop;
  else
    throw d.err("unexpected token \"" + d.val() +
                "\"; expect 'allow', 'block', 'filter' or 'drop'");

  bool has_type = false, has_net = false;
  const std::vector<std::string> args = d.remaining_args();
  size_t i = 0;
  while (i < args.size()) {
    if (!is_section_word(args[i]))
      throw d.err("unexpected token \"" + args[i] + "\"; expect 'type | net'");
    const std::string section = lower(args[i]);
    size_t j = i + 1;
    while (j < args.size() && !is_section_word(args[j])) ++j;
    if (j == i + 1) throw d.err("no token specified in \"" + section + "\" section");
    for (size_t k = i + 1; k < j; ++k) {
      const std::string& token = args[k];
      if (section == "type") {
        has_type = true;
        // CoreDNS ignores the rest of a section after `*`.
        if (token == "*") {
          p.all_types = true;
          break;
        }
        uint16_t t;
        if (!parse_qtype(token, t))
          throw d.err("unexpected token \"" + token + "\"; expect legal QTYPE");
        p.types.push_back(t);
      } else {
        has_net = true;
        if (token == "*") {
          p.all_nets = true;
          break;
        }
        std::string cidr = token;
        if (cidr.find('/') == std::string::npos)
          cidr += cidr.find(':') != std::string::npos ? "/128" : "/32";
        auto c = Cidr::parse(cidr, /*unmap=*/true);
        if (!c) throw d.err("illegal CIDR notation \"" + cidr + "\"");
        p.nets.add(*c);
      }
    }
    i = j;
  }
  if (!has_type) p.all_types = true;
  if (!has_net) p.all_nets = true;
  return p;
}

}  // namespace

bool Policy::matches(uint16_t qtype, const Endpoint& source) const {
  if (!all_types && std::find(types.begin(), types.end(), qtype) == types.end()) return false;
  return all_nets || nets.contains(source);
}

int Rule::match_zone(const dns::Name& lowered) const {
  int best = -1;
  for (size_t i = 0; i < zones.size(); ++i)
    if (lowered.is_subdomain_of(zones[i]) &&
        (best < 0 || zones[i].size() > zones[static_cast<size_t>(best)].size()))
      best = static_cast<int>(i);
  return best;
}

std::vector<Rule> parse_rules(corefile::Dispenser& d,
                              const std::vector<corefile::ZoneAddress>& block_zones) {
  std::vector<Rule> rules;
  while (d.next()) {
    Rule r;
    for (const std::string& z : origins_from_args_or_block(d.remaining_args(), block_zones)) {
      dns::Name n;
      if (!dns::Name::from_text(z, n)) continue;
      n.to_lower();
      r.zones.push_back(n);
      r.zone_texts.push_back(n.to_text());
    }
    while (d.next_block()) r.policies.push_back(parse_policy(d));
    rules.push_back(std::move(r));
  }
  return rules;
}

}  // namespace coredns::plugins::acl
