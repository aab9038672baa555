#pragma once
// The life of the coredns process: start the first configuration, serve, reload, shut down on
// signals (CoreDNS's coredns.go and Caddy's instance lifecycle; docs/architecture.md, Reload).
// Runs the control loop on the main thread; plugins that need process-level actions (reload)
// call in through the Reloader it registers (core/plugin/reload.h).
#include <uv.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/plugin/reload.h"
#include "core/plugin/setup.h"
#include "core/server/config.h"
#include "core/server/corefile_loader.h"
#include "core/server/sockets.h"
#include "core/server/worker.h"

namespace coredns::server {

struct StartOptions {
  ProcessOptions process;
  std::string pidfile;
  bool quiet = false;
  std::vector<std::string> version_lines;
};

class Process final : public Reloader {
 public:
  static Process& get();

  // Starts serving the Corefile and runs until a signal ends the process; returns the exit code.
  // Startup errors are printed to stderr and give 1.
  int run(const StartOptions& options);

  uv_loop_t* control_loop() override { return uv_default_loop(); }
  const ProcessOptions& options() const { return options_.process; }
  SharedState& state() { return state_; }

  const CorefileInput& running_corefile() const override { return current_->input(); }
  CorefileInput load_corefile() const override;
  std::optional<std::string> reload(const CorefileInput& input) override;
  // The configuration serving now.
  std::shared_ptr<Config> current() const { return current_; }

 private:
  // Opens the sockets of every address of `inst` that `open_` lacks (TCP then UDP per server).
  std::map<std::string, std::vector<SocketPair>> open_sockets(const Config& inst);
  void hand_to_workers(std::shared_ptr<Config> inst,
                       std::map<std::string, std::vector<SocketPair>> fresh);
  void install_signals();
  void shutdown(int signum);
  void write_pidfile();
  void remove_pidfile();

  StartOptions options_;
  SharedState state_;
  std::shared_ptr<Config> current_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::string> open_;  // listen address keys with sockets
  std::vector<uv_signal_t*> signals_;
  bool shutting_down_ = false;
  int exit_code_ = 0;
};

}  // namespace coredns::server
