#include "core/server/process.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <fmt/format.h>

#include "core/async/loop.h"
#include "core/async/worker_id.h"
#include "core/metrics/metrics.h"
#include "core/server/query_steering.h"
#include "core/util/cpu.h"
#include "core/util/errno_text.h"
#include "core/util/error.h"
#include "core/util/log.h"

namespace coredns::server {
namespace {

constexpr auto kGracefulStop = std::chrono::seconds(5);

void print_stdout(const std::string& text) {
  std::string line = text + "\n";
  if (::write(STDOUT_FILENO, line.data(), line.size()) < 0) {
  }
}

void print_stderr(const std::string& text) {
  std::string line = text + "\n";
  if (::write(STDERR_FILENO, line.data(), line.size()) < 0) {
  }
}

metrics::Counter& reload_failures() {
  static metrics::Counter& c =
      metrics::Registry::global()
          .counter("coredns_reload_failed_total", "Counter of the number of failed reload attempts.", {})
          .with({});
  return c;
}

}  // namespace

Process& Process::get() {
  static Process p;
  return p;
}

CorefileInput Process::load_corefile() const {
  return server::load_corefile(options_.process.conf_path, options_.process.default_port);
}

std::map<std::string, std::vector<SocketPair>> Process::open_sockets(const Config& inst) {
  const int n = static_cast<int>(workers_.size());
  std::map<std::string, std::vector<SocketPair>> fresh;
  std::vector<FdSet> holders;  // closes everything if a later bind fails
  for (const auto& [key, srv] : inst.servers()) {
    if (std::find(open_.begin(), open_.end(), key) != open_.end()) continue;
    ListenAddress addr = srv->address();
    FdSet tcp = open_tcp(addr, n);
    if (addr.port == "0") addr.port = std::to_string(bound_port(tcp.fds()[0]));
    // DNS over TLS is TCP only (RFC 7858 §3.1).
    FdSet udp = addr.transport == "dns" ? open_udp(addr, n) : FdSet();
    if (n > 1 && !udp.fds().empty() && !steer_by_question(udp.fds().front(), n)) {
      const int err = errno;
      log::warning(fmt::format("UDP queries to {} are spread over the workers by client address: "
                               "SO_ATTACH_REUSEPORT_CBPF: {}",
                               addr.host_port(), go_errno_text(err)));
    }
    auto& pairs = fresh[key];
    for (int i = 0; i < n; ++i)
      pairs.push_back({udp.fds().empty() ? -1 : udp.fds()[i], tcp.fds()[i]});
    holders.push_back(std::move(tcp));
    holders.push_back(std::move(udp));
  }
  for (auto& h : holders) h.release();
  return fresh;
}

void Process::hand_to_workers(std::shared_ptr<Config> inst,
                              std::map<std::string, std::vector<SocketPair>> fresh) {
  std::vector<std::string> keep;
  for (const auto& [key, srv] : inst->servers())
    if (std::find(open_.begin(), open_.end(), key) != open_.end()) keep.push_back(key);
  // Wait until every worker switched, so the caller can retire the old configuration.
  std::mutex mu;
  std::condition_variable cv;
  size_t switched = 0;
  for (size_t i = 0; i < workers_.size(); ++i) {
    std::map<std::string, SocketPair> mine;
    for (auto& [key, pairs] : fresh) mine[key] = pairs[i];
    workers_[i]->adopt(inst, std::move(mine), keep, [&] {
      std::lock_guard<std::mutex> lock(mu);
      ++switched;
      cv.notify_one();
    });
  }
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return switched == workers_.size(); });
  open_.clear();
  for (const auto& [key, srv] : inst->servers()) open_.push_back(key);
}

int Process::run(const StartOptions& options) {
  options_ = options;
  set_reloader(this);
  const int n = util::worker_threads();
  async::set_worker_count(n);
  async::set_current_loop(uv_default_loop());
  async::open_control_loop();
  std::shared_ptr<Config> inst;
  std::map<std::string, std::vector<SocketPair>> fresh;
  try {
    inst = Config::build(load_corefile(), options_.process, state_);
    for (int i = 0; i < n; ++i) workers_.push_back(std::make_unique<Worker>(i));
    Lifecycle::run(inst->lifecycle().first_startup);
    Lifecycle::run(inst->lifecycle().startup);
    fresh = open_sockets(*inst);
  } catch (const ConfigError& e) {
    print_stderr(e.what());
    return 1;
  }
  // Before the first query can be answered: a client that sees the server up may signal it
  // (SIGHUP must not kill it), and libuv holds the signals until the loop runs.
  install_signals();
  for (auto& w : workers_) w->start();
  hand_to_workers(inst, std::move(fresh));
  current_ = inst;
  if (!options_.quiet)
    for (const auto& line : inst->startup_lines()) print_stdout(line);
  write_pidfile();
  Lifecycle::run(inst->lifecycle().started);
  if (!options_.quiet)
    for (const auto& line : options_.version_lines) print_stdout(line);
  uv_run(control_loop(), UV_RUN_DEFAULT);
  workers_.clear();
  current_.reset();
  log::flush_thread();
  return exit_code_;
}

std::optional<std::string> Process::reload(const CorefileInput& input) {
  log::info("Reloading");
  std::shared_ptr<Config> old = current_;
  Lifecycle::run(old->lifecycle().restart);
  std::shared_ptr<Config> next;
  std::map<std::string, std::vector<SocketPair>> fresh;
  try {
    next = Config::build(input, options_.process, state_);
    Lifecycle::run(next->lifecycle().startup);
    fresh = open_sockets(*next);
  } catch (const ConfigError& e) {
    Lifecycle::run(old->lifecycle().restart_failed);
    reload_failures().inc();
    log::error(fmt::format("Restart failed: {}", e.what()));
    return std::string(e.what());
  }
  hand_to_workers(next, std::move(fresh));
  current_ = next;
  Lifecycle::run(old->lifecycle().shutdown);
  Lifecycle::run(next->lifecycle().started);
  log::info("Reloading complete");
  return std::nullopt;
}

void Process::install_signals() {
  std::signal(SIGPIPE, SIG_IGN);
  for (int signum : {SIGTERM, SIGINT, SIGQUIT, SIGUSR1, SIGHUP}) {
    auto* s = new uv_signal_t;
    uv_signal_init(control_loop(), s);
    s->data = this;
    uv_signal_start(
        s,
        [](uv_signal_t* h, int sig) {
          auto* self = static_cast<Process*>(h->data);
          switch (sig) {
            case SIGHUP:
              return;  // CoreDNS ignores SIGHUP
            case SIGUSR1: {
              log::info("SIGUSR1: Reloading");
              try {
                if (auto err = self->reload(self->load_corefile()))
                  log::error(fmt::format("SIGUSR1: {}", *err));
              } catch (const ConfigError& e) {
                log::error(fmt::format("SIGUSR1: {}", e.what()));
              }
              return;
            }
            case SIGQUIT:
              log::info("SIGQUIT: Quitting process immediately");
              self->remove_pidfile();
              log::flush_thread();
              _exit(0);
            default:
              self->shutdown(sig);
          }
        },
        signum);
    signals_.push_back(s);
  }
}

void Process::shutdown(int signum) {
  if (shutting_down_) return;
  shutting_down_ = true;
  if (signum == SIGTERM) {
    log::info("SIGTERM: Shutting down servers then terminating");
  } else {
    log::info("SIGINT: Shutting down");
    // The shutdown callbacks may block this loop (health's lameduck keeps DNS and /health
    // serving meanwhile), so a second Ctrl-C is caught by a plain handler instead.
    struct sigaction sa {};
    sa.sa_handler = [](int) {
      static const char msg[] = "[INFO] SIGINT: Force quit\n";
      if (::write(STDOUT_FILENO, msg, sizeof msg - 1) < 0) {
      }
      _exit(2);
    };
    sigaction(SIGINT, &sa, nullptr);
  }
  log::flush_thread();
  for (auto* s : signals_) async::close_and_delete(s);
  signals_.clear();
  try {
    Lifecycle::run(current_->lifecycle().shutdown);
    Lifecycle::run(current_->lifecycle().final_shutdown);
  } catch (const std::exception& e) {
    log::error(e.what());
    exit_code_ = 4;
  }
  remove_pidfile();
  const auto grace = signum == SIGTERM ? std::chrono::milliseconds(kGracefulStop)
                                       : std::chrono::milliseconds(0);
  for (auto& w : workers_) w->stop(grace);
  async::close_control_loop();
  // Whatever plugins left open on this loop is closed so that run() returns.
  uv_walk(
      control_loop(),
      [](uv_handle_t* h, void*) {
        if (!uv_is_closing(h)) uv_close(h, nullptr);
      },
      nullptr);
}

void Process::write_pidfile() {
  if (options_.pidfile.empty()) return;
  int fd = ::open(options_.pidfile.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  std::string text = fmt::format("{}\n", getpid());
  if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    log::error(fmt::format("Could not write pidfile: open {}: {}", options_.pidfile,
                           go_errno_text(errno)));
  }
  if (fd >= 0) ::close(fd);
}

void Process::remove_pidfile() {
  if (!options_.pidfile.empty()) ::unlink(options_.pidfile.c_str());
}

}  // namespace coredns::server
