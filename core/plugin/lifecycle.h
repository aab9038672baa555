#pragma once
// Lifecycle callbacks, as CoreDNS's (caddy's) OnStartup & co. A callback that throws ConfigError
// fails the start or the reload with that message.
#include <functional>
#include <vector>

namespace coredns {

struct Lifecycle {
  using Callback = std::function<void()>;
  std::vector<Callback> first_startup;   // only when the process starts
  std::vector<Callback> startup;         // every time this configuration is about to serve
  std::vector<Callback> started;         // after it began serving (CoreDNS's "instance started")
  std::vector<Callback> restart;         // the old configuration, before a reload is attempted
  std::vector<Callback> restart_failed;  // the old configuration, when the reload failed
  std::vector<Callback> shutdown;        // this configuration stops (reload or exit)
  std::vector<Callback> final_shutdown;  // the process exits
  // Run on each worker thread: when this configuration starts serving there, and when the worker
  // let go of it (after its last query on that worker finished), so plugins can keep per-worker
  // loop resources (sockets, timers) and close them on the thread that owns them.
  std::vector<Callback> worker_start;
  std::vector<Callback> worker_stop;

  static void run(const std::vector<Callback>& callbacks) {
    for (const auto& cb : callbacks) cb();
  }
};

}  // namespace coredns
