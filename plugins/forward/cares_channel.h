#pragma once
// One c-ares channel bound to one upstream, driven by the calling worker's libuv loop: c-ares
// tells us which sockets to watch (sock_state_cb -> the worker's epoll set, see Dispatcher) and
// when its next timeout is due (ares_timeout -> uv_timer). c-ares 1.18 does the exchange itself:
// it matches replies to queries by ID and question, reads only from the connected upstream socket,
// and retries over TCP when a UDP reply is truncated. docs/forward-transport.md says what we rely
// on and why.
#include <ares.h>
#include <uv.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "plugins/forward/config.h"
#include "plugins/forward/dispatcher.h"

namespace coredns::plugins::forward {

struct ChannelOptions {
  const UpstreamSpec* upstream = nullptr;
  bool tcp = false;        // every query over TCP (ARES_FLAG_USEVC)
  bool edns = false;       // queries carry an OPT: accept UDP replies up to 4096 bytes
  bool stay_open = false;  // keep the connection between queries (TCP pooling)
  bool ignore_tc = false;  // return truncated replies as they are (health probes)
  std::chrono::milliseconds timeout{2000};
  const sockaddr_storage* source = nullptr;
};

class Channel {
 public:
  // Null if c-ares could not be set up (out of memory, no entropy); the reason is logged.
  static Channel* create(Dispatcher& dispatcher, uv_loop_t* loop, const ChannelOptions& options);
  // Ends pending queries with ARES_EDESTRUCTION (their completions are queued), closes sockets.
  ~Channel();
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // Sends `query` with a fresh random ID not in flight on this channel. Returns false when the
  // exchange already finished (its result is set, nothing was queued).
  bool send(std::span<const uint8_t> query, Completion* c);

  int inflight() const { return static_cast<int>(ids_.size()); }
  // Whether a socket is open now: a query sent now reuses it (a connection-cache hit).
  bool has_socket() const { return udp_fd_ >= 0 || tcp_fd_ >= 0; }
  uint32_t sends_since_idle() const { return sends_since_idle_; }
  std::chrono::steady_clock::time_point last_used() const { return last_used_; }
  std::chrono::steady_clock::time_point created() const { return created_; }
  // A channel whose EDNS flag c-ares cleared (see retire_if_edns_lost) takes no new queries.
  bool retired() const { return retired_; }

 private:
  Channel(Dispatcher& dispatcher, uv_loop_t* loop, const ChannelOptions& options);
  bool init();

  static void on_sock_state(void* data, ares_socket_t fd, int readable, int writable);
  static void on_reply(void* arg, int status, int timeouts, unsigned char* abuf, int alen);
  friend class Dispatcher;
  // Lets c-ares handle what epoll reported for one of its sockets.
  void process(int fd, bool readable, bool writable);
  static void on_timer(uv_timer_t* handle);
  static ares_socket_t sock_open(int domain, int type, int protocol, void* data);
  static int sock_close(ares_socket_t fd, void* data);
  static int sock_connect(ares_socket_t fd, const sockaddr* addr, ares_socklen_t len, void* data);
  static ares_ssize_t sock_recvfrom(ares_socket_t fd, void* buf, size_t len, int flags,
                                    sockaddr* from, ares_socklen_t* fromlen, void* data);
  static ares_ssize_t sock_sendv(ares_socket_t fd, const iovec* iov, int n, void* data);

  void update_timer();
  void note_error(int fd, const char* op, int err);
  std::string error_text(int status) const;
  void retire_if_edns_lost(const std::vector<uint8_t>& reply);

  struct TimerHandle;

  Dispatcher& dispatcher_;
  uv_loop_t* loop_;
  ChannelOptions options_;
  ares_channel channel_ = nullptr;
  ares_socket_functions socket_functions_{};
  TimerHandle* timer_ = nullptr;
  std::vector<int> fds_;  // sockets c-ares watches now
  std::vector<uint16_t> ids_;
  Completion* sending_ = nullptr;  // set during ares_send, to spot synchronous completion
  int udp_fd_ = -1;
  int tcp_fd_ = -1;
  // The last socket error c-ares met, for the error text: "read udp L->R: read: ...".
  std::string failed_op_;
  std::string failed_local_;
  bool failed_tcp_ = false;
  int failed_errno_ = 0;
  uint32_t sends_since_idle_ = 0;
  bool retired_ = false;
  std::chrono::steady_clock::time_point created_;
  std::chrono::steady_clock::time_point last_used_;
};

}  // namespace coredns::plugins::forward
