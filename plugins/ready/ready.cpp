#include "plugins/ready/ready.h"

#include <fmt/format.h>

#include "core/util/error.h"
#include "core/util/go_host_port.h"
#include "core/util/go_quote.h"
#include "core/util/log.h"

namespace coredns::plugins::ready {

Config parse(corefile::Dispenser& d) {
  Config config;
  bool seen = false;
  while (d.next()) {
    if (seen) throw ConfigError("this plugin can only be used once per Server Block");
    seen = true;
    const auto args = d.remaining_args();
    if (args.size() > 1) throw d.arg_err();
    if (args.size() == 1) {
      std::string error;
      if (!go_split_host_port(args[0], error)) throw ConfigError(error);
      config.address = args[0];
    }
  }
  return config;
}

http::Reply serve(ReadyEndpoint& endpoint) {
  if (endpoint.shutting_down.load(std::memory_order_relaxed))
    return http::Reply{503, "text/plain; charset=utf-8", "Shutting down"};
  const auto waiting = endpoint.list->not_ready([&](size_t b) { return endpoint.covers(b); });
  if (waiting.empty()) return http::Reply{200, "text/plain; charset=utf-8", "OK"};
  std::string names;
  for (const auto& n : waiting) names += (names.empty() ? "" : ",") + n;
  log::plugin_logger("ready").info(fmt::format("Plugins not ready: {}", go_quote(names)));
  return http::Reply{503, "text/plain; charset=utf-8", names};
}

}  // namespace coredns::plugins::ready
