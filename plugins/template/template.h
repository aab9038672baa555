#pragma once
// The template handler: answers queries whose name matches a regular expression with records
// rendered from Go-style templates, as CoreDNS's template plugin (README.md).
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/corefile/dispenser.h"
#include "core/dns/name.h"
#include "core/metrics/metrics.h"
#include "core/plugin/fall.h"
#include "core/plugin/handler.h"
#include "core/plugin/zones.h"
#include "core/util/regex.h"
#include "plugins/template/engine.h"

namespace coredns::plugins::tmpl {

// One `template CLASS TYPE [ZONE...] { ... }` directive.
struct Rule {
  uint16_t qclass = 0, qtype = 0;  // dns::cls::ANY / dns::type::ANY match every query
  std::vector<std::string> zones;
  std::vector<Regex> regexes;  // `match`; ".*" when none is given
  std::vector<Template> answer, additional, authority;
  uint16_t rcode = 0;
  std::optional<uint16_t> ede_code;
  std::string ede_text;
  Fallthrough fall;
};

// Reads every `template` directive of a block. Throws ConfigError naming file and line.
std::vector<Rule> parse_rules(corefile::Dispenser& d, const std::vector<corefile::ZoneAddress>& block);

class TemplateHandler : public Handler {
 public:
  explicit TemplateHandler(std::vector<Rule> rules);
  std::string_view name() const override { return "template"; }
  Task<Response> serve(Request& req, Next next) override;

 private:
  struct Compiled {
    const Rule* rule;
    std::vector<dns::Name> zones;
  };
  // The longest of the rule's zones `q` is in, or -1.
  static int match_zone(const Compiled& c, const dns::Name& q);
  Task<Response> reply(Request& req, const Rule& rule, QueryData& data);
  metrics::Counter& match_counter(const Request& req, const QueryData& d);

  std::vector<Rule> rules_;
  std::vector<Compiled> compiled_;
  ZoneSet all_zones_;
  metrics::CounterFamily& matches_;
  metrics::CounterFamily& template_failures_;
  metrics::CounterFamily& rr_failures_;
};

}  // namespace coredns::plugins::tmpl
