#include "plugins/health/health.h"

#include <fmt/format.h>

#include "core/util/error.h"
#include "core/util/go_host_port.h"

namespace coredns::plugins::health {

Config parse(corefile::Dispenser& d) {
  Config config;
  while (d.next()) {
    const auto args = d.remaining_args();
    if (args.size() > 1) throw d.arg_err();
    if (args.size() == 1) {
      std::string error;
      if (!go_split_host_port(args[0], error)) throw ConfigError(error);
      config.address = args[0];
    }
    while (d.next_block()) {
      if (d.val() != "lameduck") throw d.err(fmt::format("unknown property '{}'", d.val()));
      const auto values = d.remaining_args();
      if (values.size() != 1) throw d.arg_err();
      try {
        config.lameduck = parse_duration(values[0]);
      } catch (const ConfigError& e) {
        throw ConfigError(
            fmt::format("unable to parse lameduck duration value: '{}' : {}", values[0], e.what()));
      }
    }
  }
  return config;
}

http::Reply serve(const http::Request&) { return http::Reply{200, "text/plain; charset=utf-8", "OK"}; }

}  // namespace coredns::plugins::health
