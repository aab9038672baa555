#pragma once
#include "core/plugin/handler.h"

namespace coredns::plugins::any {

// Answers every query of type ANY with the single HINFO record RFC 8482 §4.2 suggests, in
// CoreDNS's wording; every other query goes to the next plugin.
class Any : public Handler {
 public:
  std::string_view name() const override { return "any"; }
  // Answers ANY from the question alone and passes everything else on untouched.
  Reuse reply_reuse() const override { return Reuse::pass; }
  Task<Response> serve(Request& req, Next next) override;
};

// The reply to an ANY query.
std::vector<uint8_t> build_reply(const Request& req);

}  // namespace coredns::plugins::any
