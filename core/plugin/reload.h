#pragma once
// The process' reload, for a plugin that decides when to reload (reload's watcher). CoreDNS's
// reload plugin restarts the Caddy instance; here the process builds the new configuration
// completely and swaps it in only when everything succeeded (docs/architecture.md, Reload).
#include <uv.h>

#include <optional>
#include <string>

namespace coredns {

// A Corefile's text and the name messages show for it: the -conf argument, "Corefile" or
// "/dev/stdin".
struct CorefileInput {
  std::string text;
  std::string path;
};

class Reloader {
 public:
  // The main thread's loop, where reload and other process-level work happens.
  virtual uv_loop_t* control_loop() = 0;
  // The Corefile the configuration serving now was built from.
  virtual const CorefileInput& running_corefile() const = 0;
  // Loads the Corefile the way startup did (-conf, ./Corefile, or the default). Throws
  // ConfigError on a read error.
  virtual CorefileInput load_corefile() const = 0;
  // Replaces the running configuration with `input`: returns the error text on failure, when the
  // old configuration keeps serving. Call on the control loop.
  virtual std::optional<std::string> reload(const CorefileInput& input) = 0;

 protected:
  ~Reloader() = default;
};

// The process' Reloader. Set before the first configuration starts; lifecycle callbacks from
// `started` on may use it.
Reloader& reloader();
void set_reloader(Reloader* r);

}  // namespace coredns
