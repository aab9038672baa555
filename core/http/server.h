#pragma once
// The process' one small HTTP/1.1 server for health, ready and prometheus. It runs on a thread
// of its own with its own libuv loop, so /health keeps answering while the control loop is
// blocked in shutdown callbacks (lameduck) and no DNS worker ever serves HTTP. Every address is
// bound once, whatever number of plugins or server blocks name it; requests are routed by path.
//
// The methods are called from other threads (the control loop, a worker dropping a
// configuration); each runs its work on the HTTP loop and waits for it.
#include <uv.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/http/message.h"

namespace coredns::http {

class Server {
 public:
  Server() = default;
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // Binds `address` (Go's host:port: ":8080", "127.0.0.1:8080", "localhost:9153", "[::1]:80")
  // and serves `routes` there. Throws ConfigError with Go's text ("listen tcp :8080: bind:
  // address already in use"). The address must not be bound yet.
  void listen(const std::string& address, std::shared_ptr<const Routes> routes);
  // Replaces the routes of a bound address: the next request on any connection sees them.
  void set_routes(const std::string& address, std::shared_ptr<const Routes> routes);
  // Stops listening on `address` and closes its connections. No-op when not bound.
  void close(const std::string& address);
  bool bound(const std::string& address);
  std::vector<std::string> addresses();
  // The TCP port `address` is bound to (resolves port 0); 0 when not bound.
  int port(const std::string& address);
  // Closes everything and ends the thread. Later calls other than listen() are no-ops.
  void stop();

 private:
  struct Listener;
  struct Connection;
  struct Task {
    std::function<void()> fn;
    bool done = false;
    std::exception_ptr error;
  };

  // Runs `fn` on the HTTP loop and waits; rethrows what it threw.
  void call(const std::function<void()>& fn);
  void start_thread();
  void drain();
  void close_listener(Listener* l);

  static void on_connection(uv_stream_t* server, int status);

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Task*> tasks_;
  std::thread thread_;
  std::thread::id thread_id_;
  std::unique_ptr<uv_loop_t> loop_;
  uv_async_t* wakeup_ = nullptr;
  bool running_ = false;
  // Touched on the HTTP loop only.
  std::map<std::string, Listener*> listeners_;
};

}  // namespace coredns::http
