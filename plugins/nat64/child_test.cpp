// The supervision of a child, with shell scripts standing in for nat64 (no root needed).
#include "plugins/nat64/child.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <regex>

#include "plugins/nat64/supervisor.h"
#include "plugins/nat64/test_util.h"

using namespace coredns;
using namespace coredns::plugins::nat64;
using namespace std::chrono_literals;

namespace {

const char* level_name(log::Level l) {
  switch (l) {
    case log::Level::debug: return "DEBUG";
    case log::Level::info: return "INFO";
    case log::Level::warning: return "WARNING";
    case log::Level::error: return "ERROR";
    case log::Level::fatal: return "FATAL";
  }
  return "?";
}

// A private loop and a log capture.
struct Env {
  uv_loop_t loop;
  std::vector<std::string> lines;
  nat64_test::TempDir dir;
  Timing timing{50ms, 200ms, 10s, 300ms};

  Env() { uv_loop_init(&loop); }
  ~Env() {
    uv_run(&loop, UV_RUN_NOWAIT);  // close callbacks
    uv_walk(&loop, [](uv_handle_t* h, void*) { if (!uv_is_closing(h)) uv_close(h, nullptr); }, nullptr);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
  }
  LogSink sink() {
    return [this](log::Level l, std::string_view m) { lines.push_back(std::string(level_name(l)) + " " + std::string(m)); };
  }
  ChildSpec spec(const std::string& script, const std::string& inline_config = "") {
    ChildSpec s;
    s.binary = dir.file("nat64-" + std::to_string(counter++), "#!/bin/sh\n" + script, true);
    s.argv = {s.binary, "-c", inline_config.empty() ? "/etc/tayga.conf" : kInlineConfigPath, "--nodetach",
              "--journal"};
    s.inline_config = inline_config;
    // As parse_directive's: the program is part of it, so two scripts are two children.
    s.identity = s.binary + '\0' + script + inline_config;
    s.where = "Corefile:1";
    return s;
  }
  // Runs the loop until `done` holds (true) or `limit` passed (false).
  template <typename F>
  bool run_until(F done, std::chrono::milliseconds limit = 5s) {
    uv_timer_t tick;
    uv_timer_init(&loop, &tick);
    uv_timer_start(&tick, [](uv_timer_t*) {}, 5, 5);
    const auto end = std::chrono::steady_clock::now() + limit;
    bool ok = false;
    while (!(ok = done()) && std::chrono::steady_clock::now() < end) uv_run(&loop, UV_RUN_ONCE);
    uv_close(reinterpret_cast<uv_handle_t*>(&tick), nullptr);
    uv_run(&loop, UV_RUN_NOWAIT);
    return ok;
  }
  size_t count(const std::string& pattern) const {
    std::regex rx(pattern);
    size_t n = 0;
    for (const auto& l : lines) n += std::regex_search(l, rx);
    return n;
  }
  std::string all() const {
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
  }
  int counter = 0;
};

bool alive(pid_t pid) { return pid > 0 && ::kill(pid, 0) == 0; }

}  // namespace

TEST_CASE("the child's lines: journal priorities, else stderr is an error") {
  auto level = [](std::string line, bool err) {
    std::string_view v = line;
    log::Level l = line_level(v, err);
    return std::string(level_name(l)) + " " + std::string(v);
  };
  CHECK(level("<3>Error: cannot open TUN device", true) == "ERROR Error: cannot open TUN device");
  CHECK(level("<0>x", true) == "ERROR x");
  CHECK(level("<4>Warning: no data-dir", true) == "WARNING Warning: no data-dir");
  CHECK(level("<5>starting nat64", true) == "INFO starting nat64");
  CHECK(level("<6>Using tun device t", true) == "INFO Using tun device t");
  CHECK(level("<7>debug", true) == "INFO debug");
  CHECK(level("<30>facility and priority", true) == "INFO facility and priority");
  CHECK(level("nat64: unknown option '-x'", true) == "ERROR nat64: unknown option '-x'");
  CHECK(level("Usage: nat64", false) == "INFO Usage: nat64");
  CHECK(level("<x>not a priority", false) == "INFO <x>not a priority");
  CHECK(level("<>", true) == "ERROR <>");
}

TEST_CASE("a child's output is logged line by line, its exits restart it with backoff") {
  Env env;
  Child child(&env.loop,
              env.spec("echo '<6>hello from' \"$@\" >&2\necho plain stdout\nprintf '<3>no newline' >&2\nexit 3\n"),
              env.timing, env.sink());
  child.start();
  REQUIRE(env.run_until([&] { return env.count("restarting in") >= 4; }, 10s));
  INFO(env.all());
  CHECK(child.spawns() >= 4);
  CHECK(env.count("^INFO started .*/nat64-0 \\(pid [0-9]+\\): -c /etc/tayga.conf --nodetach --journal$") >= 4);
  CHECK(env.count("^INFO hello from -c /etc/tayga.conf --nodetach --journal$") >= 4);
  CHECK(env.count("^INFO plain stdout$") >= 4);
  CHECK(env.count("^ERROR no newline$") >= 4);
  // 50 ms doubling to the 200 ms ceiling.
  CHECK(env.count("^ERROR nat64 \\(pid [0-9]+\\) exited with status 3; restarting in 50ms$") == 1);
  CHECK(env.count("^ERROR nat64 \\(pid [0-9]+\\) exited with status 3; restarting in 100ms$") == 1);
  CHECK(env.count("^ERROR nat64 \\(pid [0-9]+\\) exited with status 3; restarting in 200ms$") >= 2);
  // Root here: the CAP_NET_ADMIN hint does not apply.
  CHECK(env.count("CAP_NET_ADMIN") == 0);
  // Both pipes are drained before the exit is reported (their order between them is the
  // scheduler's): the first run's last words come before its exit line.
  const auto exit_line = std::find_if(env.lines.begin(), env.lines.end(), [](const std::string& l) {
    return std::regex_search(l, std::regex("exited with status 3"));
  });
  REQUIRE(exit_line != env.lines.end());
  CHECK(std::find(env.lines.begin(), exit_line, "ERROR no newline") != exit_line);
  CHECK(std::find(env.lines.begin(), exit_line, "INFO plain stdout") != exit_line);
  child.stop_now();
}

TEST_CASE("a child that stayed up a while starts over at the first delay") {
  Env env;
  env.timing.stable = 300ms;
  Child child(&env.loop, env.spec("sleep 0.4\nexit 1\n"), env.timing, env.sink());
  child.start();
  REQUIRE(env.run_until([&] { return env.count("restarting in") >= 2; }, 10s));
  INFO(env.all());
  CHECK(env.count("restarting in 50ms$") == 2);
  CHECK(env.count("restarting in 100ms$") == 0);
  child.stop_now();
}

TEST_CASE("a killed child is restarted with a new pid") {
  Env env;
  Child child(&env.loop, env.spec("echo '<6>up'\nexec sleep 30\n"), env.timing, env.sink());
  child.start();
  REQUIRE(env.run_until([&] { return child.pid() > 0; }));
  const pid_t first = child.pid();
  ::kill(first, SIGKILL);
  REQUIRE(env.run_until([&] { return child.spawns() == 2 && child.pid() > 0; }));
  INFO(env.all());
  CHECK(child.pid() != first);
  CHECK(env.count("^ERROR nat64 \\(pid " + std::to_string(first) +
                  "\\) was killed by signal 9 \\(Killed\\); restarting in 50ms$") == 1);
  child.stop_now();
  CHECK_FALSE(alive(first));
}

TEST_CASE("stop: SIGTERM, and SIGKILL for a child that ignores it") {
  Env env;
  SECTION("SIGTERM") {
    Child child(&env.loop, env.spec("exec sleep 30\n"), env.timing, env.sink());
    child.start();
    REQUIRE(env.run_until([&] { return child.pid() > 0; }));
    const pid_t pid = child.pid();
    bool done = false;
    child.stop([&] { done = true; });
    REQUIRE(env.run_until([&] { return done; }));
    INFO(env.all());
    CHECK(child.pid() == 0);
    CHECK_FALSE(alive(pid));
    CHECK(env.count("^INFO stopped nat64 \\(pid [0-9]+\\): it was killed by signal 15 \\(Terminated\\)$") == 1);
    CHECK(env.count("restarting") == 0);
  }
  SECTION("SIGKILL after the timeout") {
    Child child(&env.loop, env.spec("trap '' TERM\necho '<6>ready'\nwhile :; do sleep 0.05; done\n"), env.timing,
                env.sink());
    child.start();
    REQUIRE(env.run_until([&] { return env.count("ready") == 1; }));
    bool done = false;
    const auto t0 = std::chrono::steady_clock::now();
    child.stop([&] { done = true; });
    REQUIRE(env.run_until([&] { return done; }));
    INFO(env.all());
    CHECK(std::chrono::steady_clock::now() - t0 >= 300ms);
    CHECK(env.count("^WARNING nat64 \\(pid [0-9]+\\) did not stop within 300ms: SIGKILL$") == 1);
    CHECK(env.count("it was killed by signal 9") == 1);
  }
  SECTION("stop_now blocks until it is gone, logging its last lines") {
    Child child(&env.loop, env.spec("trap 'echo \"<5>bye\" >&2; exit 0' TERM\necho '<6>ready'\nwhile :; do sleep 0.05; done\n"),
                env.timing, env.sink());
    child.start();
    REQUIRE(env.run_until([&] { return env.count("ready") == 1; }));
    const pid_t pid = child.pid();
    child.stop_now();
    INFO(env.all());
    CHECK_FALSE(alive(pid));
    CHECK(env.count("^INFO bye$") == 1);
    CHECK(env.count("^INFO stopped nat64 \\(pid [0-9]+\\): it exited with status 0$") == 1);
  }
  SECTION("a child waiting to restart stops at once") {
    Child child(&env.loop, env.spec("exit 1\n"), {10s, 10s, 10s, 1s}, env.sink());
    child.start();
    REQUIRE(env.run_until([&] { return env.count("restarting in 10s") == 1; }));
    bool done = false;
    child.stop([&] { done = true; });
    CHECK_FALSE(done);  // from a callback, not from stop()
    REQUIRE(env.run_until([&] { return done; }, 1s));
    CHECK(child.spawns() == 1);
  }
}

TEST_CASE("the inline tayga.conf is the child's fd 3; NOTIFY_SOCKET is not passed on") {
  Env env;
  ::setenv("NOTIFY_SOCKET", "/run/systemd/notify", 1);
  Child child(&env.loop,
              env.spec("while read -r l; do echo \"<6>conf: $l\"; done < \"$2\"\n"
                       "echo \"<6>notify=${NOTIFY_SOCKET-unset}\"\n"
                       "echo \"<6>fds: $(ls /proc/self/fd | sort -n | tr '\\n' ' ')\"\n"
                       "exec sleep 30\n",
                       "# generated\ntun-device t\nprefix 64:ff9b::/96\n"),
              env.timing, env.sink());
  child.start();
  REQUIRE(env.run_until([&] { return env.count("^INFO fds: ") == 1; }));
  ::unsetenv("NOTIFY_SOCKET");
  INFO(env.all());
  CHECK(env.count("^INFO conf: # generated$") == 1);
  CHECK(env.count("^INFO conf: tun-device t$") == 1);
  CHECK(env.count("^INFO conf: prefix 64:ff9b::/96$") == 1);
  CHECK(env.count("^INFO notify=unset$") == 1);
  // stdin, stdout, stderr, the config, and ls's own directory descriptor: nothing of coredns's.
  CHECK(env.count("^INFO fds: 0 1 2 3 [0-9]+ $") == 1);
  child.stop_now();
}

TEST_CASE("a program that cannot be executed is retried like a crash") {
  Env env;
  ChildSpec spec = env.spec("exit 0\n");
  ::chmod(spec.binary.c_str(), 0644);
  Child child(&env.loop, spec, env.timing, env.sink());
  child.start();
  REQUIRE(env.run_until([&] { return env.count("retrying in") >= 2; }));
  INFO(env.all());
  CHECK(env.count("^ERROR cannot start .*/nat64-0: exec: permission denied; retrying in 50ms$") == 1);
  CHECK(env.count("^ERROR cannot start .*/nat64-0: exec: permission denied; retrying in 100ms$") == 1);
  CHECK(child.pid() == 0);
  child.stop_now();
}

TEST_CASE("the supervisor across reloads: unchanged kept, changed replaced after the old one exits, removed "
          "stopped") {
  Env env;
  Supervisor sup(env.timing, env.sink());
  // Each child logs when it starts and when it stops, to see the order. The trap comes first: the
  // test may stop a child as soon as it saw "start".
  const std::string script = "trap 'echo \"<6>stop $0\"; exit 0' TERM\necho \"<6>start $0\"\nwhile :; do sleep 0.05; done\n";
  ChildSpec a = env.spec(script), b = env.spec(script);

  sup.set_pending({a});
  sup.ensure({a}, &env.loop);
  REQUIRE(env.run_until([&] { return env.count("^INFO start .*nat64-0$") == 1; }));
  const pid_t pid_a = sup.children().at(0)->pid();

  // A reload with the same configuration: shutdown of the old one, started of the new one.
  sup.set_pending({});
  sup.set_pending({a});
  sup.retire_unwanted();
  sup.ensure({a}, &env.loop);
  CHECK(sup.children().size() == 1);
  CHECK(sup.children().at(0)->pid() == pid_a);
  CHECK(env.count("^INFO nat64 \\(pid " + std::to_string(pid_a) +
                  "\\) keeps running: its configuration did not change$") == 1);

  // A changed one: b starts only once a has exited.
  sup.set_pending({b});
  sup.retire_unwanted();
  sup.ensure({b}, &env.loop);
  REQUIRE(env.run_until([&] { return env.count("^INFO start .*nat64-1$") == 1; }));
  INFO(env.all());
  auto index = [&](const std::string& pattern) {
    std::regex rx(pattern);
    for (size_t i = 0; i < env.lines.size(); ++i)
      if (std::regex_search(env.lines[i], rx)) return static_cast<long>(i);
    return -1L;
  };
  CHECK(index("^INFO stopped nat64 \\(pid " + std::to_string(pid_a) + "\\)") >= 0);
  CHECK(index("^INFO stopped nat64 \\(pid " + std::to_string(pid_a) + "\\)") < index("^INFO started .*nat64-1"));
  CHECK_FALSE(alive(pid_a));
  REQUIRE(env.run_until([&] { return sup.stopping() == 0; }));
  const pid_t pid_b = sup.children().at(0)->pid();

  // The directive removed: a configuration without it wants nothing.
  sup.set_pending({});
  sup.retire_unwanted();
  CHECK(sup.children().empty());
  REQUIRE(env.run_until([&] { return sup.stopping() == 0; }));
  CHECK_FALSE(alive(pid_b));
  CHECK(env.count("^INFO stop .*nat64-1$") == 1);

  // Exit: stop_all_now waits.
  sup.ensure({a}, &env.loop);
  REQUIRE(env.run_until([&] { return env.count("^INFO start .*nat64-0$") == 2; }));
  const pid_t pid_a2 = sup.children().at(0)->pid();
  sup.stop_all_now();
  CHECK_FALSE(alive(pid_a2));
  CHECK(sup.children().empty());
}
