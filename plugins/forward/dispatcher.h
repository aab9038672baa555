#pragma once
// One worker's side of the upstream exchanges: the epoll set every c-ares socket of the worker is
// watched through, and the queue of finished exchanges whose waiters run once c-ares returned.
#include <ares.h>
#include <uv.h>

#include <cstdint>
#include <string>
#include <vector>

namespace coredns::plugins::forward {

// What one exchange produced: a reply (its ID is the one sent upstream) or an error text in
// the words Go uses, which the errors plugin logs.
struct ExchangeResult {
  int status = ARES_SUCCESS;
  std::vector<uint8_t> reply;
  std::string error;
  bool ok() const { return status == ARES_SUCCESS; }
};

class Channel;

// Something waiting for an exchange. complete() always runs outside c-ares (from
// Dispatcher::drain), so it may send again or tear channels down.
class Completion {
 public:
  virtual ~Completion() = default;
  virtual void complete() = 0;

  ExchangeResult result;

 private:
  friend class Channel;
  friend class Dispatcher;
  Completion* next_ready_ = nullptr;
  Channel* channel_ = nullptr;
  uint16_t id_ = 0;
};

// One worker's sockets and completions. Every c-ares socket of the worker is watched through
// one epoll set of ours, itself watched by one uv_poll: a socket costs one epoll_ctl when it
// opens and none when it closes, where a uv_poll per socket costs five system calls.
// Completions run after c-ares has returned.
class Dispatcher {
 public:
  explicit Dispatcher(uv_loop_t* loop);
  virtual ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  void push(Completion* c);
  // Runs every queued completion, then after_drain() (where an owner that was asked to go
  // away while completions ran may delete itself).
  void drain();
  bool draining() const { return draining_ > 0; }

  // c-ares's interest in `fd` of `channel` (sock_state_cb). Clearing it is free: the socket is
  // about to be closed, which takes it out of the epoll set.
  void watch(int fd, Channel* channel, bool readable, bool writable);
  void unwatch(int fd);

 protected:
  virtual void after_drain() {}

 private:
  struct EpollHandle;
  static void on_epoll(uv_poll_t* handle, int status, int events);

  int epfd_ = -1;
  EpollHandle* poll_ = nullptr;
  std::vector<Channel*> owners_;   // by fd
  std::vector<uint32_t> events_;   // by fd, what the epoll set has for it
  Completion* head_ = nullptr;
  Completion* tail_ = nullptr;
  int draining_ = 0;
};

}  // namespace coredns::plugins::forward
