#pragma once
#include "core/plugin/handler.h"

namespace coredns::plugins::minimal {

// Strips the authority and additional sections (and the OPT) from positive answers of the
// plugins after it, as CoreDNS's minimal: a smaller reply where nothing a client needs is lost
// (RFC 1034 §4.3.2 lets a server leave out data it is not asked for). NXDOMAIN, NODATA,
// referrals and errors go through untouched.
class Minimal : public Handler {
 public:
  std::string_view name() const override { return "minimal"; }
  Task<Response> serve(Request& req, Next next) override;
};

// `reply` with only its header, question and answer section; unchanged unless it is a
// positive answer.
void minimize(std::vector<uint8_t>& reply);

}  // namespace coredns::plugins::minimal
