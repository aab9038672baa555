#pragma once
#include <vector>

#include "core/plugin/handler.h"
#include "plugins/log/format.h"
#include "plugins/log/rules.h"

namespace coredns::plugins::querylog {

// Logs a line per query whose name a rule covers, after the rest of the chain answered it
// (CoreDNS's log plugin). The reply is left as it is, except that it is scrubbed for the client
// here, so that the flags logged are the ones the client sees.
class QueryLog : public Handler {
 public:
  explicit QueryLog(std::vector<Rule> rules) : rules_(std::move(rules)) {}
  std::string_view name() const override { return "log"; }
  Task<Response> serve(Request& req, Next next) override;

  const std::vector<Rule>& rules() const { return rules_; }
  // The first rule covering the (lower-cased) name, or null.
  const Rule* match(const dns::Name& qname_lower) const;

 private:
  std::vector<Rule> rules_;
};

// Scrubs `resp` for the client (unless done already) and sums up what the log line reports;
// `cls` is set only when `want_class`. An unwritten SERVFAIL/REFUSED/FORMERR/NOTIMP is described
// by the reply the server will write for it.
ReplySummary summarize(const Request& req, Response& resp, bool want_class,
                       dns::ResponseClass* cls);

// The line for a query, in the configured format or, with -log-format=json, as fields.
void write_line(const Rule& rule, const Request& req, const ReplySummary& r);

}  // namespace coredns::plugins::querylog
