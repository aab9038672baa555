#pragma once
// The nat64 children of the process, across reloads (kept in SetupContext::process_state()).
//
// A configuration's setup records the children it wants (`set_pending`). When a reload swaps
// configurations, the old one's shutdown stops the children the new one does not want
// (`retire_unwanted`), and the new one's started runs the ones it wants (`ensure`): an unchanged
// child keeps its process; a new one starts once the retired ones have exited, so that the new
// process can take over their TUN device. A configuration without the directive wants nothing:
// its reload stops them all. At exit, `stop_all_now` waits for every child.
#include <uv.h>

#include <memory>
#include <vector>

#include "plugins/nat64/child.h"
#include "plugins/nat64/directive.h"

namespace coredns::plugins::nat64 {

class Supervisor {
 public:
  Supervisor() = default;
  Supervisor(Timing timing, LogSink sink) : timing_(timing), sink_(std::move(sink)) {}
  ~Supervisor();

  // The children the configuration being built (or, after a failed reload, still running)
  // wants; empty from the moment a reload begins until a setup says otherwise.
  void set_pending(std::vector<ChildSpec> wants) { pending_ = std::move(wants); }
  // Stops (without blocking) every child whose identity the pending list lacks.
  void retire_unwanted();
  // Runs a child for each spec, keeping those already running.
  void ensure(const std::vector<ChildSpec>& wants, uv_loop_t* loop);
  // Stops every child, blocking until each was reaped.
  void stop_all_now();

  const std::vector<std::unique_ptr<Child>>& children() const { return children_; }
  size_t stopping() const { return stopping_.size(); }

 private:
  void start_waiting();

  Timing timing_;
  LogSink sink_ = process_log_sink();
  std::vector<ChildSpec> pending_;
  std::vector<std::unique_ptr<Child>> children_;
  std::vector<std::unique_ptr<Child>> stopping_;
};

}  // namespace coredns::plugins::nat64
