#pragma once
// ready: /ready answers 200 once every plugin that reports readiness (core/plugin/readiness.h)
// in the server blocks that enable `ready` on that address is ready, 503 before.
#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/corefile/dispenser.h"
#include "core/http/message.h"
#include "core/plugin/readiness.h"

namespace coredns::plugins::ready {

struct Config {
  std::string address = ":8181";
};

// `ready [ADDRESS]`, once per server block. Throws ConfigError with CoreDNS's texts.
Config parse(corefile::Dispenser& d);

// One /ready address of a configuration: the blocks that enabled it there.
struct ReadyEndpoint {
  std::shared_ptr<ReadinessList> list;
  std::vector<size_t> blocks;
  // Set at final shutdown: from then on /ready is 503 on every connection, kept-alive ones too
  // (CoreDNS #4099), while health's lameduck lets traffic drain.
  std::atomic<bool> shutting_down{false};

  bool covers(size_t block) const {
    return std::find(blocks.begin(), blocks.end(), block) != blocks.end();
  }
};

http::Reply serve(ReadyEndpoint& endpoint);

}  // namespace coredns::plugins::ready
