#pragma once
// A worker thread: its own libuv loop, its own SO_REUSEPORT UDP and TCP sockets for every listen
// address, and the configuration it currently serves.
#include <uv.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/server/config.h"

namespace coredns::server {

class Worker;
class UdpEndpoint;
class TcpEndpoint;

// A worker's hold on one configuration: the ConfigKeeper of its queries. Queries, and the
// background work plugins start for them (ConfigHold), count themselves in and out, so the worker
// can let go of a replaced configuration once its last query finished, without any atomic on the
// query path.
struct HeldConfig final : ConfigKeeper {
  HeldConfig(std::shared_ptr<Config> c, Worker* w) : config(std::move(c)), worker(w) {}

  std::shared_ptr<Config> config;
  Worker* worker = nullptr;
  int inflight = 0;
  bool retired = false;

  void enter() override { ++inflight; }
  void leave() override;
};

// Sockets handed to a worker for one listen address.
struct SocketPair {
  int udp_fd = -1;
  int tcp_fd = -1;
};

class Worker {
 public:
  explicit Worker(int id);
  ~Worker();

  int id() const { return id_; }
  void start();
  // Runs `fn` on the worker's loop (thread-safe).
  void post(std::function<void()> fn);

  // Switches to `instance`: opens the given new sockets, closes those of addresses not in
  // `keep`, retires the previous configuration. `done` runs on the worker afterwards.
  void adopt(std::shared_ptr<Config> instance, std::map<std::string, SocketPair> new_sockets,
             std::vector<std::string> keep, std::function<void()> done);

  // Stops accepting, waits up to `grace` for queries in flight, then ends the thread. Joins.
  void stop(std::chrono::milliseconds grace);

  // Called when a retired configuration has no query left here.
  void release(HeldConfig* ref);

  HeldConfig* current() const { return current_; }
  uv_loop_t* loop() { return &loop_; }
  // A query started or finished on this worker (any configuration).
  void query_started() { ++inflight_; }
  void query_finished() { --inflight_; }

 private:
  void run();
  void drain_posts();
  void flush();
  void close_everything();
  void point_endpoints_at(HeldConfig* ref);

  int id_;
  uv_loop_t loop_;
  uv_async_t wakeup_;
  uv_check_t flusher_;
  // Replies finished by timer callbacks (an upstream timeout) would otherwise wait in the batch
  // until the next socket event: flush before the loop blocks, too.
  uv_prepare_t pre_flusher_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::function<void()>> posts_;
  std::map<std::string, std::unique_ptr<UdpEndpoint>> udp_;
  std::map<std::string, std::unique_ptr<TcpEndpoint>> tcp_;
  HeldConfig* current_ = nullptr;
  std::vector<HeldConfig*> retired_;
  int inflight_ = 0;
  bool stopping_ = false;
};

}  // namespace coredns::server
