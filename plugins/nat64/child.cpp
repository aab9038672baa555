#include "plugins/nat64/child.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <vector>
#include <fmt/format.h>

#include "core/async/loop.h"
#include "core/util/errno_text.h"
#include "plugins/nat64/exec.h"

extern char** environ;

namespace coredns::plugins::nat64 {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMaxLine = 16 * 1024;  // a longer line is logged in pieces
constexpr auto kPollInterval = std::chrono::milliseconds(100);

std::string describe(int status) {
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* name = ::strsignal(WTERMSIG(status));
    return fmt::format("was killed by signal {}{}", WTERMSIG(status),
                       name ? fmt::format(" ({})", name) : std::string());
  }
  return fmt::format("ended with wait status {}", status);
}

std::string seconds(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return fmt::format("{}s", d.count() / 1000);
  return fmt::format("{}ms", d.count());
}

// Why a start failed: the step, and its errno.
struct SpawnFailure {
  const char* what = "";
  int err = 0;
};

// A started child: its pid and the read ends of its stdout and stderr pipes.
struct Started {
  pid_t pid = -1;
  int out = -1, err = -1;
};

// The inline tayga.conf lives in memory only: nothing on disk to clean up or to be changed by
// others, and it works on a read-only root without /tmp. Returns the descriptor, or -1.
int inline_config_fd(const std::string& text, SpawnFailure& fail) {
  const int fd = ::memfd_create("tayga.conf", MFD_CLOEXEC);
  if (fd < 0) {
    fail = {"memfd_create", errno};
    return -1;
  }
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      fail = {"writing the inline tayga.conf", errno};
      ::close(fd);
      return -1;
    }
    off += static_cast<size_t>(n);
  }
  return fd;
}

void close_all(std::initializer_list<int> fds) {
  for (int fd : fds)
    if (fd >= 0) ::close(fd);
}

// Forks and execs spec's program with stdout and stderr on pipes (the read ends come back in
// `child`). An exec failure comes back as its errno through a close-on-exec status pipe, so that a
// missing binary is reported at once rather than as an exit. Closes `config` (-1: none).
bool fork_exec(const ChildSpec& spec, int config, Started& child, SpawnFailure& fail) {
  std::vector<char*> argv;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  // The environment minus NOTIFY_SOCKET: with --journal nat64 would tell coredns's service
  // manager it is ready.
  std::vector<char*> envp;
  for (char** e = environ; e && *e; ++e)
    if (std::strncmp(*e, "NOTIFY_SOCKET=", 14) != 0) envp.push_back(*e);
  envp.push_back(nullptr);

  int out[2] = {-1, -1}, err[2] = {-1, -1}, status[2] = {-1, -1};
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0 || ::pipe2(status, O_CLOEXEC) != 0) {
    fail = {"pipe", errno};
    close_all({out[0], out[1], err[0], err[1], status[0], status[1], config});
    return false;
  }
  const int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  long open_max = ::sysconf(_SC_OPEN_MAX);
  ExecArgs a{spec.binary.c_str(), argv.data(), envp.data(), ::getpid(), devnull, out[1], err[1],
             config, status[1], static_cast<int>(std::clamp(open_max, 256L, 65536L))};
  const pid_t pid = ::fork();
  if (pid == 0) exec_child(a);
  const int fork_errno = errno;
  close_all({out[1], err[1], status[1], devnull, config});
  if (pid < 0) {
    fail = {"fork", fork_errno};
    close_all({out[0], err[0], status[0]});
    return false;
  }
  int exec_errno = 0;
  ssize_t n;
  do {
    n = ::read(status[0], &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  ::close(status[0]);
  if (n == static_cast<ssize_t>(sizeof exec_errno)) {
    ::waitpid(pid, nullptr, 0);
    close_all({out[0], err[0]});
    fail = {"exec", exec_errno};
    return false;
  }
  child = {pid, out[0], err[0]};
  return true;
}

}  // namespace

LogSink process_log_sink() {
  return [](log::Level level, std::string_view line) { log::write(level, "nat64", line); };
}

log::Level line_level(std::string_view& line, bool from_stderr) {
  if (line.size() >= 3 && line[0] == '<') {
    size_t end = line.find('>');
    if (end != std::string_view::npos && end > 1 && end <= 4) {
      int n = 0;
      bool digits = true;
      for (size_t i = 1; i < end; ++i) {
        if (line[i] < '0' || line[i] > '9') digits = false;
        else n = n * 10 + (line[i] - '0');
      }
      if (digits) {
        line.remove_prefix(end + 1);
        const int priority = n & 7;
        if (priority <= 3) return log::Level::error;
        if (priority == 4) return log::Level::warning;
        return log::Level::info;
      }
    }
  }
  return from_stderr ? log::Level::error : log::Level::info;
}

Child::Child(uv_loop_t* loop, ChildSpec spec, Timing timing, LogSink sink)
    : loop_(loop),
      spec_(std::move(spec)),
      timing_(timing),
      log_(std::move(sink)),
      next_delay_(timing.first_delay) {
  out_.from_stderr = false;
  err_.from_stderr = true;
}

Child::~Child() {
  if (pid_ > 0) ::kill(pid_, SIGTERM);
  close_handles();
}

void Child::start() {
  if (state_ != State::idle && state_ != State::waiting) return;
  spawn();
}

void Child::spawn() {
  SpawnFailure fail;
  int config = -1;
  if (!spec_.inline_config.empty() && (config = inline_config_fd(spec_.inline_config, fail)) < 0)
    return failed_to_start(fail.what, fail.err);
  Started child;
  if (!fork_exec(spec_, config, child, fail)) return failed_to_start(fail.what, fail.err);
  pid_ = child.pid;
  state_ = State::running;
  started_at_ = Clock::now();
  ++spawns_;
  std::string args;
  for (size_t i = 1; i < spec_.argv.size(); ++i) args += (i > 1 ? " " : "") + spec_.argv[i];
  log_(log::Level::info, fmt::format("started {} (pid {}): {}", spec_.binary, pid_, args));
  watch(child.out, child.err);
}

void Child::failed_to_start(const char* what, int err) {
  log_(log::Level::error, fmt::format("cannot start {}: {}: {}; retrying in {}", spec_.binary, what,
                                      go_errno_text(err), seconds(next_delay_)));
  after_exit(true, Clock::duration::zero());
}

void Child::watch(int out_fd, int err_fd) {
#ifdef SYS_pidfd_open
  pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
#endif
  if (pidfd_ >= 0) {
    ::fcntl(pidfd_, F_SETFD, FD_CLOEXEC);
    pid_poll_ = new uv_poll_t;
    uv_poll_init(loop_, pid_poll_, pidfd_);
    pid_poll_->data = this;
    uv_poll_start(pid_poll_, UV_READABLE, [](uv_poll_t* h, int, int) {
      static_cast<Child*>(h->data)->check_exit();
    });
  } else {
    set_timer(kPollInterval);  // no pidfd (Linux < 5.3): waitpid every 100 ms
  }
  out_.fd = out_fd;
  err_.fd = err_fd;
  for (Pipe* p : {&out_, &err_}) {
    ::fcntl(p->fd, F_SETFL, ::fcntl(p->fd, F_GETFL) | O_NONBLOCK);
    p->partial.clear();
    p->poll = new uv_poll_t;
    uv_poll_init(loop_, p->poll, p->fd);
    p->poll->data = this;
    const auto cb = p->from_stderr ? +[](uv_poll_t* h, int, int) {
      auto* self = static_cast<Child*>(h->data);
      self->on_readable(self->err_);
    }
                                   : +[](uv_poll_t* h, int, int) {
                                       auto* self = static_cast<Child*>(h->data);
                                       self->on_readable(self->out_);
                                     };
    uv_poll_start(p->poll, UV_READABLE | UV_DISCONNECT, cb);
  }
}

void Child::on_readable(Pipe& p) {
  if (!drain(p)) close_pipe(p);
}

bool Child::drain(Pipe& p) {
  if (p.fd < 0) return false;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(p.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    if (n <= 0) {
      if (!p.partial.empty()) emit(p, p.partial);
      p.partial.clear();
      return false;
    }
    p.partial.append(buf, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = p.partial.find('\n', start)) != std::string::npos; start = nl + 1)
      emit(p, std::string_view(p.partial).substr(start, nl - start));
    p.partial.erase(0, start);
    if (p.partial.size() > kMaxLine) {
      emit(p, p.partial);
      p.partial.clear();
    }
  }
}

void Child::emit(Pipe& p, std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty()) return;
  const log::Level level = line_level(line, p.from_stderr);
  if (!line.empty()) log_(level, line);
}

void Child::close_pipe(Pipe& p) {
  if (p.poll) {
    async::close_and_delete(p.poll);
    p.poll = nullptr;
  }
  if (p.fd >= 0) ::close(p.fd);
  p.fd = -1;
}

void Child::check_exit() {
  if (pid_ <= 0) return;
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return;
  if (r < 0) status = 0;  // reaped by someone else (ECHILD): nothing more to learn
  reaped(status);
}

void Child::reaped(int status) {
  const auto up = Clock::now() - started_at_;
  // Its last words first, then the exit.
  for (Pipe* p : {&out_, &err_}) {
    drain(*p);
    if (!p->partial.empty()) emit(*p, p->partial);
    p->partial.clear();
    close_pipe(*p);
  }
  if (pid_poll_) {
    async::close_and_delete(pid_poll_);
    pid_poll_ = nullptr;
  }
  if (pidfd_ >= 0) ::close(pidfd_);
  pidfd_ = -1;
  const pid_t pid = pid_;
  pid_ = 0;
  if (state_ == State::stopping) {
    log_(log::Level::info, fmt::format("stopped nat64 (pid {}): it {}", pid, describe(status)));
    state_ = State::stopped;
    if (timer_) uv_timer_stop(timer_);
    auto done = std::move(done_);
    done_ = nullptr;
    if (done) done();  // may destroy this Child: nothing after it
    return;
  }
  const bool failed = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  if (up >= timing_.stable) next_delay_ = timing_.first_delay;
  log_(log::Level::error,
       fmt::format("nat64 (pid {}) {}; restarting in {}", pid, describe(status), seconds(next_delay_)));
  after_exit(failed, up);
}

void Child::after_exit(bool failed, Clock::duration up) {
  if (up >= timing_.stable) {
    next_delay_ = timing_.first_delay;
    hinted_ = false;
  }
  if (failed && up < timing_.stable && !hinted_ && !child_gets_net_admin(spec_.binary)) {
    hinted_ = true;
    log_(log::Level::error,
         fmt::format("nat64 needs CAP_NET_ADMIN for its TUN device, and neither coredns nor {} gives "
                     "it: run coredns with it (as an ambient capability, e.g. systemd's "
                     "AmbientCapabilities=CAP_NET_ADMIN) or give it to the program (setcap "
                     "cap_net_admin+ep {}); DNS keeps serving meanwhile",
                     spec_.binary, spec_.binary));
  }
  schedule_restart();
}

void Child::schedule_restart() {
  state_ = State::waiting;
  const auto delay = next_delay_;
  next_delay_ = std::min(next_delay_ * 2, timing_.max_delay);
  set_timer(delay);
}

void Child::set_timer(std::chrono::milliseconds d) {
  if (!timer_) {
    timer_ = new uv_timer_t;
    uv_timer_init(loop_, timer_);
    timer_->data = this;
  }
  const auto ms = static_cast<uint64_t>(d.count());
  // Repeating while a process runs (the waitpid fallback, the SIGKILL deadline); once otherwise.
  const bool repeat = state_ == State::running || state_ == State::stopping;
  uv_timer_start(timer_, [](uv_timer_t* t) { static_cast<Child*>(t->data)->on_timer(); }, ms,
                 repeat ? ms : 0);
}

void Child::on_timer() {
  switch (state_) {
    case State::waiting:
      spawn();
      return;
    case State::running:
      check_exit();
      return;
    case State::stopping:
      if (!killed_ && Clock::now() >= stop_deadline_) {
        log_(log::Level::warning, fmt::format("nat64 (pid {}) did not stop within {}: SIGKILL", pid_,
                                              seconds(timing_.stop_timeout)));
        ::kill(pid_, SIGKILL);
        killed_ = true;
      }
      check_exit();  // may destroy this Child
      return;
    case State::stopped: {
      auto done = std::move(done_);
      done_ = nullptr;
      if (done) done();  // may destroy this Child
      return;
    }
    case State::idle:
      return;
  }
}

void Child::stop(std::function<void()> done) {
  done_ = std::move(done);
  switch (state_) {
    case State::running:
      state_ = State::stopping;
      ::kill(pid_, SIGTERM);
      stop_deadline_ = Clock::now() + timing_.stop_timeout;
      killed_ = false;
      set_timer(kPollInterval);
      return;
    case State::stopping:
      return;
    case State::idle:
    case State::waiting:
    case State::stopped:
      state_ = State::stopped;
      set_timer(std::chrono::milliseconds(0));  // `done` from a callback, not from here
      return;
  }
}

void Child::stop_now() {
  done_ = nullptr;
  if (state_ == State::running || state_ == State::stopping) {
    if (state_ == State::running) ::kill(pid_, SIGTERM);
    state_ = State::stopping;
    const auto deadline = Clock::now() + timing_.stop_timeout;
    bool killed = false;
    int status = 0;
    while (true) {
      pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_ || (r < 0 && errno != EINTR)) break;
      if (!killed && Clock::now() >= deadline) {
        log_(log::Level::warning, fmt::format("nat64 (pid {}) did not stop within {}: SIGKILL", pid_,
                                              seconds(timing_.stop_timeout)));
        ::kill(pid_, SIGKILL);
        killed = true;
      }
      pollfd fds[2] = {{out_.fd, POLLIN, 0}, {err_.fd, POLLIN, 0}};
      ::poll(fds, 2, 20);
      for (Pipe* p : {&out_, &err_})
        if (!drain(*p)) close_pipe(*p);
    }
    reaped(status);  // logs "stopped"; done_ is empty
  }
  state_ = State::stopped;
  close_handles();
}

void Child::close_handles() {
  for (Pipe* p : {&out_, &err_}) close_pipe(*p);
  if (pid_poll_) {
    async::close_and_delete(pid_poll_);
    pid_poll_ = nullptr;
  }
  if (pidfd_ >= 0) ::close(pidfd_);
  pidfd_ = -1;
  if (timer_) {
    async::close_and_delete(timer_);
    timer_ = nullptr;
  }
}

}  // namespace coredns::plugins::nat64
