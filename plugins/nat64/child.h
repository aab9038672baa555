#pragma once
// One supervised nat64 process, on the control loop: started with fork/exec, its output read
// through pipes and logged line by line, restarted with exponential backoff when it dies,
// stopped with SIGTERM and, after a timeout, SIGKILL.
#include <sys/types.h>
#include <uv.h>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "core/util/log.h"
#include "plugins/nat64/directive.h"

namespace coredns::plugins::nat64 {

struct Timing {
  std::chrono::milliseconds first_delay{1000};  // restart delay after a first failure
  std::chrono::milliseconds max_delay{30000};   // the delay doubles up to this
  std::chrono::milliseconds stable{30000};      // a child up this long starts over at first_delay
  std::chrono::milliseconds stop_timeout{5000}; // SIGTERM, then SIGKILL after this
};

// Where lines go: the process log by default ("[INFO] plugin/nat64: ...").
using LogSink = std::function<void(log::Level, std::string_view)>;
LogSink process_log_sink();

// The level of one line of the child's output. With --journal, nat64 writes "<PRIORITY>text"
// (syslog priorities) to stderr: 0-3 are errors, 4 warnings, 5-7 informational. Lines without
// one are errors on stderr and informational on stdout. `line` loses the "<N>" prefix.
log::Level line_level(std::string_view& line, bool from_stderr);

class Child {
 public:
  Child(uv_loop_t* loop, ChildSpec spec, Timing timing = {}, LogSink sink = process_log_sink());
  ~Child();  // a process still running gets SIGTERM; stop() or stop_now() first to wait for it
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  const ChildSpec& spec() const { return spec_; }
  pid_t pid() const { return pid_; }  // 0 while no process runs
  int spawns() const { return spawns_; }
  bool idle() const { return state_ == State::idle; }  // never started

  // Starts the process now (a failure to start is retried like an exit).
  void start();
  // Stops for good, without blocking: SIGTERM, SIGKILL after stop_timeout. `done` runs on the
  // loop once the process was reaped (right away, from a callback, when none runs).
  void stop(std::function<void()> done);
  // The same, blocking the calling thread until the process was reaped (process exit, where the
  // loop does not run again). The child's last lines are still logged.
  void stop_now();

 private:
  enum class State { idle, running, waiting, stopping, stopped };
  struct Pipe {
    int fd = -1;
    bool from_stderr = false;
    uv_poll_t* poll = nullptr;
    std::string partial;
  };

  // Starts the program (spawn) and watches its exit and output pipes (watch); a failure to start
  // is logged and retried like an exit (failed_to_start).
  void spawn();
  void failed_to_start(const char* what, int err);
  void watch(int out_fd, int err_fd);
  void on_readable(Pipe& p);
  bool drain(Pipe& p);  // reads what is there; false at end of file
  void emit(Pipe& p, std::string_view line);
  void close_pipe(Pipe& p);
  void check_exit();
  void reaped(int status);
  void after_exit(bool failed, std::chrono::steady_clock::duration up);
  void schedule_restart();
  void on_timer();
  void set_timer(std::chrono::milliseconds d);
  void close_handles();

  uv_loop_t* loop_;
  ChildSpec spec_;
  Timing timing_;
  LogSink log_;
  State state_ = State::idle;
  pid_t pid_ = 0;
  int pidfd_ = -1;
  uv_poll_t* pid_poll_ = nullptr;   // pidfd readable: the process exited
  uv_timer_t* timer_ = nullptr;     // restart delay, SIGKILL timeout, waitpid polling fallback
  Pipe out_, err_;
  std::chrono::steady_clock::time_point started_at_{};
  std::chrono::steady_clock::time_point stop_deadline_{};
  bool killed_ = false;
  std::chrono::milliseconds next_delay_;
  int spawns_ = 0;
  bool hinted_ = false;  // the CAP_NET_ADMIN hint was logged since the last stable run
  std::function<void()> done_;
};

}  // namespace coredns::plugins::nat64
