#pragma once
// A worker's side of `forward`: its UDP sockets and stream connections to every upstream, the
// health-check loops it runs, and the timers of its exchanges. Created on the worker at its first
// query and shut down there (lifecycle().worker_stop), so nothing in it is shared between
// threads and no lock is taken. docs/forward-transport.md describes the design.
#include <uv.h>

#include <chrono>
#include <coroutine>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "plugins/forward/config.h"
#include "plugins/forward/upstream.h"

namespace coredns::plugins::forward {

// What every worker's transport reads: the configuration and the shared upstream state.
struct ForwardShared {
  ForwardConfig config;
  std::vector<std::unique_ptr<Upstream>> upstreams;
  std::vector<uint8_t> probe_query;  // "<domain> IN NS", RD per no_rec; ID set per probe
};

// What one exchange produced: a reply (its ID is the one sent upstream) or an error text in the
// words Go uses, which the errors plugin logs.
struct ExchangeResult {
  bool ok = false;
  std::vector<uint8_t> reply;
  std::string error;
};

class UdpSocket;
class StreamConn;
class WorkerTransport;

// Something waiting for an exchange; complete() runs outside socket processing, so it may send
// again. The fields below it are the exchange's state while in flight.
class Completion {
 public:
  virtual ~Completion() = default;
  virtual void complete() = 0;

  ExchangeResult result;

 private:
  friend class WorkerTransport;
  friend class UdpSocket;
  friend class StreamConn;
  std::vector<uint8_t> query_;  // as sent, with our ID
  size_t index_ = 0;
  uint16_t id_ = 0;
  bool tcp_ = false;
  bool probe_ = false;
  UdpSocket* udp_ = nullptr;
  StreamConn* conn_ = nullptr;
  std::chrono::steady_clock::time_point deadline_;
  std::chrono::steady_clock::time_point started_;
  Completion* prev_ = nullptr;  // in its timeout list
  Completion* next_ = nullptr;
  Completion* next_ready_ = nullptr;
  bool timed_ = false;
};

class HealthLoop;

class WorkerTransport {
 public:
  WorkerTransport(std::shared_ptr<const ForwardShared> shared, uv_loop_t* loop);
  WorkerTransport(const WorkerTransport&) = delete;
  WorkerTransport& operator=(const WorkerTransport&) = delete;

  // Starts an exchange with upstream `index`. It leaves with the others of this loop iteration
  // (one sendmmsg per socket, one write per connection). `probe`: a health check (1 s, a
  // truncated reply counts). False if it finished at once (result set).
  bool start(size_t index, std::span<const uint8_t> query, bool tcp, bool probe, Completion* c);

  // Starts the health-check loop of upstream `index` here unless one runs somewhere.
  void start_health_check(size_t index);

  // Ends every exchange and closes everything; the object deletes itself once no completion
  // is running.
  void shutdown();
  bool stopping() const { return stopping_; }

  const ForwardShared& shared() const { return *shared_; }
  uv_loop_t* loop() const { return loop_; }

  // Runs the completions that are ready. Every entry from the loop ends with it.
  void drain();

  // UDP sockets per upstream on this worker, each taking queries in turn; a socket is replaced
  // (a new random port) after this many queries or this long. docs/forward-transport.md has
  // the measurements behind the numbers and the entropy they leave.
  static constexpr size_t kUdpSockets = 8;
  static constexpr uint32_t kQueriesPerSocket = 100;
  static constexpr std::chrono::seconds kSocketLifetime{10};
  // Stream connections per upstream on this worker, and the queries in flight on one before
  // another is opened.
  static constexpr size_t kMaxStreams = 4;
  static constexpr size_t kPipelineDepth = 32;
  // Probes wait this long for a reply (CoreDNS: 1 s read and write deadlines).
  static constexpr std::chrono::milliseconds kProbeTimeout{1000};

 private:
  friend class HealthLoop;
  friend class UdpSocket;
  friend class StreamConn;
  ~WorkerTransport();

  struct TimeoutList {
    Completion* head = nullptr;
    Completion* tail = nullptr;
  };
  struct Pools {
    std::vector<UdpSocket*> udp;  // kUdpSockets slots, null until used
    size_t next_udp = 0;
    // The socket this loop iteration's queries go out on (one sendmmsg), valid while
    // current_flush == flushes_.
    UdpSocket* current = nullptr;
    uint64_t current_flush = 0;
    std::vector<StreamConn*> streams;
  };

  bool start_udp(Completion* c);
  bool start_stream(Completion* c);
  UdpSocket* udp_socket(size_t index, bool& reused);
  StreamConn* stream_conn(size_t index, bool& reused);
  void finish(Completion* c, bool ok, std::string error = {});
  void finish_reply(Completion* c, std::span<const uint8_t> reply);
  void retry_over_stream(Completion* c);
  void push_ready(Completion* c);
  void arm(Completion* c);
  void disarm(Completion* c);
  void on_timer();
  void flush();
  void sweep();
  void bury(UdpSocket* s);
  void bury(StreamConn* c);
  void health_done(size_t index);

  std::shared_ptr<const ForwardShared> shared_;
  uv_loop_t* loop_;
  std::vector<Pools> pools_;
  std::vector<std::unique_ptr<HealthLoop>> health_;
  TimeoutList timeouts_[2];  // [read_timeout, probe]
  uv_timer_t* timer_ = nullptr;
  std::chrono::steady_clock::time_point timer_due_;
  uv_timer_t* sweeper_ = nullptr;
  uv_check_t* check_ = nullptr;
  uv_prepare_t* prepare_ = nullptr;
  std::vector<UdpSocket*> dirty_udp_;
  std::vector<StreamConn*> dirty_streams_;
  std::vector<UdpSocket*> dead_udp_;
  std::vector<StreamConn*> dead_streams_;
  Completion* ready_head_ = nullptr;
  Completion* ready_tail_ = nullptr;
  int draining_ = 0;
  uint64_t flushes_ = 0;
  bool stopping_ = false;
};

// co_await exchange(...) from a handler coroutine on the worker.
class Exchange : public Completion {
 public:
  Exchange(WorkerTransport& t, size_t index, std::span<const uint8_t> query, bool tcp)
      : t_(t), index_(index), query_(query), tcp_(tcp) {}
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    waiter_ = h;
    return t_.start(index_, query_, tcp_, false, this);
  }
  ExchangeResult await_resume() { return std::move(result); }
  void complete() override { waiter_.resume(); }

 private:
  WorkerTransport& t_;
  size_t index_;
  std::span<const uint8_t> query_;
  bool tcp_;
  std::coroutine_handle<> waiter_;
};

}  // namespace coredns::plugins::forward
