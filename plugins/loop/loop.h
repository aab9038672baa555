#pragma once
// The loop plugin: at startup it sends a random HINFO query for <random>.<random>.ZONE to the
// server's own listen address; seeing that query come through this plugin more than twice means
// the server forwards to itself, and the process exits, as CoreDNS's loop plugin.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "core/dns/name.h"
#include "core/plugin/handler.h"

namespace coredns::plugins::loop {

struct Target {
  std::string host;  // first bind address of the block; empty for every address
  std::string port;
  // As CoreDNS prints it (Go's JoinHostPort): ":53", "127.0.0.1:53", "[::1]:53".
  std::string text() const;
};

// <N1>.<N2>.<zone> with N1, N2 random in [0, 2^62), as CoreDNS draws them.
std::string probe_name(const std::string& zone);

// The probe's query bytes: `name` IN HINFO, RD set, no EDNS, a random ID.
std::vector<uint8_t> probe_query(const dns::Name& name);

class Loop : public Handler {
 public:
  // What happens on the third sighting; the plugin logs and exits unless a test replaces it.
  using OnLoop = void (*)(const std::string& message);

  Loop(std::string zone, std::string probe, Target target, OnLoop on_loop = nullptr);
  ~Loop() override;
  std::string_view name() const override { return "loop"; }
  Task<Response> serve(Request& req, Next next) override;

  // True when the query is the probe seen a third time (the process is then gone, unless
  // on_loop returns).
  bool inspect(const Request& req);

  // The probe runs on its own thread from the server's start until a reply, or 30 s.
  void start();
  void stop();
  // Waits until the probing ends by itself (a reply, or 30 s).
  void wait_probe_end() {
    if (thread_.joinable()) thread_.join();
  }

  bool disabled() const { return disabled_.load(std::memory_order_acquire); }
  void disable() { disabled_.store(true, std::memory_order_release); }
  int sightings() const { return seen_.load(); }
  const std::string& probe() const { return probe_text_; }
  const std::string& zone() const { return zone_text_; }

 private:
  void run();
  // One probe: true if any reply came back within 2 s.
  bool exchange();
  bool wait(std::chrono::milliseconds d);  // false when stopped

  std::string zone_text_;
  std::string probe_text_;
  dns::Name zone_;
  dns::Name probe_;
  Target target_;
  OnLoop on_loop_;
  std::atomic<int> seen_{0};
  std::atomic<bool> disabled_{false};

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace coredns::plugins::loop
