#pragma once
// health: /health on a process-wide HTTP endpoint, and lameduck on shutdown (CoreDNS's
// plugin/health/README.md).
#include <string>

#include "core/corefile/dispenser.h"
#include "core/http/message.h"
#include "core/util/duration.h"

namespace coredns::plugins::health {

struct Config {
  std::string address = ":8080";
  Duration lameduck{0};
};

// Reads every `health` line of a block: `health [ADDRESS] [{ lameduck DURATION }]`; the last
// address wins. Throws ConfigError with CoreDNS's texts (the core adds "plugin/health: ").
Config parse(corefile::Dispenser& d);

// GET, HEAD or any other method on /health: 200 "OK". Always healthy, lameduck included.
http::Reply serve(const http::Request& req);

}  // namespace coredns::plugins::health
