#pragma once
// A worker's side of `forward`: its c-ares channels to every upstream, the health-check loops
// it runs, and the sweeper that closes idle connections. Created on the worker at its first
// query and shut down there (lifecycle().worker_stop), so nothing in it is shared between
// threads. How channels give every UDP query a fresh source port: docs/forward-transport.md.
#include <uv.h>

#include <coroutine>
#include <memory>
#include <span>
#include <vector>

#include "plugins/forward/cares_channel.h"
#include "plugins/forward/config.h"
#include "plugins/forward/upstream.h"

namespace coredns::plugins::forward {

// What every worker's transport reads: the configuration and the shared upstream state.
struct ForwardShared {
  ForwardConfig config;
  std::vector<std::unique_ptr<Upstream>> upstreams;
  std::vector<uint8_t> probe_query;  // "<domain> IN NS", RD per no_rec; ID set per probe
};

class HealthLoop;

class WorkerTransport : public Dispatcher {
 public:
  WorkerTransport(std::shared_ptr<const ForwardShared> shared, uv_loop_t* loop);

  // Starts an exchange with upstream `index`; false if it finished at once (result set).
  bool start(size_t index, std::span<const uint8_t> query, bool tcp, bool edns, Completion* c);

  // Starts the health-check loop of upstream `index` here unless one runs somewhere.
  void start_health_check(size_t index);

  // Closes everything; the object deletes itself once no completion is running.
  void shutdown();
  bool stopping() const { return stopping_; }

  const ForwardShared& shared() const { return *shared_; }
  uv_loop_t* loop() const { return loop_; }

  // A UDP pool holds at most this many channels per upstream and EDNS kind; a channel takes
  // new queries until it carried this many since its socket was opened.
  static constexpr size_t kMaxUdpChannels = 8;
  static constexpr uint32_t kMaxQueriesPerSocket = 16;

  // Test hooks.
  size_t channel_count(size_t index) const;

 private:
  friend class HealthLoop;
  ~WorkerTransport() override;
  void after_drain() override;

  struct Pools {
    std::vector<Channel*> udp[2];  // [plain, edns]
    Channel* tcp = nullptr;
  };

  Channel* udp_channel(size_t index, bool edns, bool& reused);
  Channel* tcp_channel(size_t index, bool& reused);
  Channel* make_channel(size_t index, bool tcp, bool edns);
  void sweep();
  void health_done(size_t index);

  // Shared ownership: a transport may outlive its handler by a few completions at shutdown.
  std::shared_ptr<const ForwardShared> shared_;
  uv_loop_t* loop_;
  std::vector<Pools> pools_;
  std::vector<std::unique_ptr<HealthLoop>> health_;
  uv_timer_t* sweeper_ = nullptr;
  bool stopping_ = false;
};

// co_await exchange(...) from a handler coroutine on the worker.
class Exchange : public Completion {
 public:
  Exchange(WorkerTransport& t, size_t index, std::span<const uint8_t> query, bool tcp, bool edns)
      : t_(t), index_(index), query_(query), tcp_(tcp), edns_(edns) {}
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    waiter_ = h;
    return t_.start(index_, query_, tcp_, edns_, this);
  }
  ExchangeResult await_resume() { return std::move(result); }
  void complete() override { waiter_.resume(); }

 private:
  WorkerTransport& t_;
  size_t index_;
  std::span<const uint8_t> query_;
  bool tcp_;
  bool edns_;
  std::coroutine_handle<> waiter_;
};

}  // namespace coredns::plugins::forward
