#pragma once
#include "core/metrics/metrics.h"
#include "core/plugin/handler.h"

namespace coredns::plugins::local {

// Answers the names no query should leave the host for (RFC 6761 §6.3): localhost. and the
// names below it, the reverse zones 0., 127. and 255.in-addr.arpa., as CoreDNS's local, and
// the reverse name of ::1.
// With `prefix` on it also answers localhost.<any domain> (a legacy many stub resolvers still
// send). Every other query goes to the next plugin.
class Local : public Handler {
 public:
  explicit Local(bool prefix);
  std::string_view name() const override { return "local"; }
  Task<Response> serve(Request& req, Next next) override;
  // Its own answers depend on the question alone (and promise nothing); others pass untouched.
  Reuse reply_reuse() const override { return Reuse::pass; }

  // The reply, or empty when the query is not for a name local answers.
  std::vector<uint8_t> answer(const Request& req) const;

 private:
  bool prefix_;
  metrics::Counter& localhost_requests_;
};

}  // namespace coredns::plugins::local
