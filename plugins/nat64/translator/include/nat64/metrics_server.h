// A tiny HTTP responder for Prometheus scrapes (GET /metrics), on a thread of its own so a
// slow client never stalls the packet loop. It only reads atomics.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace nat64 {

class MetricsServer {
 public:
  using Render = std::function<std::string()>;
  ~MetricsServer() { stop(); }
  // addr: "host:port", "[v6]:port" or ":port" (numeric hosts, or localhost).
  bool start(const std::string& addr, Render render, std::string& err);
  void stop();
  int port() const { return port_; }

 private:
  void serve();
  int fd_ = -1;
  int port_ = 0;
  Render render_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
};

}  // namespace nat64
