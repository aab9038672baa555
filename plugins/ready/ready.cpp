#include "plugins/ready/ready.h"

#include <fmt/format.h>

#include "core/http/address_directive.h"
#include "core/util/go_quote.h"
#include "core/util/log.h"

namespace coredns::plugins::ready {

Config parse(corefile::Dispenser& d) {
  return Config{http::parse_address_directive(d, Config{}.address)};
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
