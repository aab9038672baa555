#pragma once
// The HTTP endpoints of one configuration (health, ready and prometheus add theirs during
// setup) and their life across reloads, better than CoreDNS's
// (docs/http-and-metrics.md):
// - binding happens in the configuration's startup callbacks, so a bind error fails the start
//   (exit 1) or the reload with Go's text;
// - an address the new configuration keeps is never closed or rebound: no window of refused
//   connections and no "address already in use" (CoreDNS #1722). Its routes switch to the new
//   configuration's handlers when the swap succeeded;
// - added addresses are bound before the swap and serve from it on; removed ones are closed
//   after it; a failed reload leaves the old endpoints exactly as they were;
// - at exit the endpoints keep serving through the shutdown callbacks (health's lameduck) and
//   close at the end of final_shutdown.
#include <string>

#include "core/http/message.h"
#include "core/http/server.h"
#include "core/plugin/setup.h"

namespace coredns::http {

// Serves `handler` at exactly `path` on `address` (Go host:port, validated by the caller) for
// the configuration being set up. Adding the same address and path again replaces the handler.
void add_endpoint(SetupContext& ctx, const std::string& address, const std::string& path,
                  Handler handler);

// The process' HTTP server, shared by every configuration.
Server& process_server(SharedState& process_state);

}  // namespace coredns::http
