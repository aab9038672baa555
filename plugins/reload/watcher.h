#pragma once
// The reload plugin's watcher: every period it loads the Corefile the way startup did, and when
// the parsed Corefile's fingerprint changed, asks the process to reload (CoreDNS's
// plugin/reload/reload.go).
#include <uv.h>

#include <chrono>
#include <string>

namespace coredns::plugins::reload {

struct Settings {
  std::chrono::nanoseconds interval = std::chrono::seconds(30);
  std::chrono::nanoseconds jitter = std::chrono::seconds(15);
};

// INTERVAL + a uniform draw in [-JITTER/2, +JITTER/2), once per setup (as CoreDNS does).
std::chrono::nanoseconds check_period(const Settings& s);

// The SHA-512 CoreDNS logs for a Corefile text: over the JSON of its blocks, parsed without
// directive validation. Throws ConfigError if the text does not parse.
std::string corefile_fingerprint(const std::string& text, const std::string& path);

class Watcher {
 public:
  explicit Watcher(const Settings& settings) : period_(check_period(settings)) {}
  ~Watcher() { stop(); }
  // On the control loop, once the configuration serves: logs the running fingerprint and starts
  // checking.
  void start();
  void stop();

 private:
  void check();

  std::chrono::nanoseconds period_;
  std::string last_;
  uv_timer_t* timer_ = nullptr;
};

}  // namespace coredns::plugins::reload
