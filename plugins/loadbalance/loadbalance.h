#pragma once
#include <memory>
#include <string>

#include "core/corefile/dispenser.h"
#include "core/plugin/cidr.h"
#include "core/plugin/handler.h"
#include "plugins/loadbalance/order.h"
#include "plugins/loadbalance/weights.h"

namespace coredns::plugins::loadbalance {

struct Config {
  bool weighted = false;
  std::string weight_path;
  std::chrono::nanoseconds reload = std::chrono::seconds(30);
  CidrList prefer;
};

// Every `loadbalance` line of a block: the last policy wins, prefer lists add up.
Config parse_config(corefile::Dispenser& d);

// Reorders the records of the replies of the plugins after it (CoreDNS's loadbalance).
class LoadBalance : public Handler {
 public:
  // `weights` is set for the weighted policy.
  LoadBalance(CidrList prefer, std::shared_ptr<WeightFile> weights);
  std::string_view name() const override { return "loadbalance"; }
  Task<Response> serve(Request& req, Next next) override;

  // Rewrites `reply` (a reply to `req`) in the policy's order; `rnd` draws the random numbers.
  // False when it left the reply as it was.
  bool reorder(const Request& req, std::vector<uint8_t>& reply, const Random& rnd) const;

 private:
  CidrList prefer_;
  std::shared_ptr<WeightFile> weights_;
};

}  // namespace coredns::plugins::loadbalance
