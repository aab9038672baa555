#pragma once
#include "core/plugin/handler.h"

namespace coredns::plugins::whoami {

// Answers every query with the client's address (A or AAAA) and port (SRV) in the additional
// section, authoritatively (CoreDNS's plugin/whoami/README.md).
class Whoami : public Handler {
 public:
  std::string_view name() const override { return "whoami"; }
  Task<Response> serve(Request& req, Next next) override;
};

// The reply, for a query from `client` over `transport`.
std::vector<uint8_t> build_reply(const Request& req);

}  // namespace coredns::plugins::whoami
