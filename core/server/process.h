#pragma once
// The life of the coredns process: start the first configuration, serve, reload, shut down on
// signals (spec §1.10, §2.11, §2.12). Runs the control loop on the main thread; plugins that
// need process-level actions (reload) call in through Process::get().
#include <uv.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/plugin/setup.h"
#include "core/server/corefile_loader.h"
#include "core/server/instance.h"
#include "core/server/sockets.h"
#include "core/server/worker.h"

namespace coredns::server {

struct StartOptions {
  ProcessOptions process;
  std::string pidfile;
  bool quiet = false;
  std::vector<std::string> version_lines;
};

class Process {
 public:
  static Process& get();

  // Starts serving the Corefile and runs until a signal ends the process; returns the exit code.
  // Startup errors are printed to stderr and give 1.
  int run(const StartOptions& options);

  // The main thread's loop, where reload and other process-level work happens.
  uv_loop_t* control_loop() { return uv_default_loop(); }
  const ProcessOptions& options() const { return options_.process; }
  SharedState& state() { return state_; }

  // Loads the Corefile the way startup did (-conf, ./Corefile, or the default).
  CorefileInput load_corefile() const;
  // Replaces the running configuration with `input` (spec §2.12): returns the error text on
  // failure, when the old configuration keeps serving. Call on the control loop.
  std::optional<std::string> reload(const CorefileInput& input);
  // The configuration serving now.
  std::shared_ptr<Instance> current() const { return current_; }

 private:
  // Opens the sockets of every address of `inst` that `open_` lacks (TCP then UDP per server).
  std::map<std::string, std::vector<SocketPair>> open_sockets(const Instance& inst);
  void hand_to_workers(std::shared_ptr<Instance> inst,
                       std::map<std::string, std::vector<SocketPair>> fresh);
  void install_signals();
  void shutdown(int signum);
  void write_pidfile();
  void remove_pidfile();

  StartOptions options_;
  SharedState state_;
  std::shared_ptr<Instance> current_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::string> open_;  // listen address keys with sockets
  std::vector<uv_signal_t*> signals_;
  bool shutting_down_ = false;
  int exit_code_ = 0;
};

}  // namespace coredns::server
