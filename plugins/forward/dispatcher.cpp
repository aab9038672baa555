#include "plugins/forward/dispatcher.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <fmt/format.h>

#include "core/async/loop.h"
#include "core/util/errno_text.h"
#include "core/util/log.h"
#include "plugins/forward/cares_channel.h"

namespace coredns::plugins::forward {

struct Dispatcher::EpollHandle {
  uv_poll_t handle;
  Dispatcher* dispatcher;
};

Dispatcher::Dispatcher(uv_loop_t* loop) {
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) {
    log::plugin_logger("forward").error(fmt::format("epoll_create1: {}", go_errno_text(errno)));
    return;
  }
  poll_ = new EpollHandle{};
  poll_->dispatcher = this;
  uv_poll_init(loop, &poll_->handle, epfd_);
  uv_poll_start(&poll_->handle, UV_READABLE, &Dispatcher::on_epoll);
  // Idle sockets must not keep a worker's loop alive at exit; pending queries have timers.
  uv_unref(reinterpret_cast<uv_handle_t*>(&poll_->handle));
}

Dispatcher::~Dispatcher() {
  if (poll_) async::close_and_delete(poll_);
  if (epfd_ >= 0) ::close(epfd_);
}

void Dispatcher::watch(int fd, Channel* channel, bool readable, bool writable) {
  if (fd < 0 || epfd_ < 0) return;
  const auto i = static_cast<size_t>(fd);
  if (i >= owners_.size()) {
    owners_.resize(i + 1, nullptr);
    events_.resize(i + 1, 0);
  }
  const uint32_t want = (readable ? EPOLLIN : 0u) | (writable ? EPOLLOUT : 0u);
  epoll_event ev{};
  ev.events = want;
  ev.data.fd = fd;
  if (!owners_[i]) {
    if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0 && errno == EEXIST)
      epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev);
  } else if (events_[i] != want) {
    epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev);
  }
  owners_[i] = channel;
  events_[i] = want;
}

void Dispatcher::unwatch(int fd) {
  const auto i = static_cast<size_t>(fd);
  if (fd < 0 || i >= owners_.size()) return;
  owners_[i] = nullptr;
  events_[i] = 0;
}

void Dispatcher::on_epoll(uv_poll_t* handle, int, int) {
  Dispatcher* d = reinterpret_cast<EpollHandle*>(handle)->dispatcher;
  epoll_event events[64];
  const int n = epoll_wait(d->epfd_, events, 64, 0);
  for (int k = 0; k < n; ++k) {
    const int fd = events[k].data.fd;
    const auto i = static_cast<size_t>(fd);
    Channel* ch = i < d->owners_.size() ? d->owners_[i] : nullptr;
    if (!ch) {
      // A socket c-ares stopped watching but did not close: take it out of the set.
      epoll_ctl(d->epfd_, EPOLL_CTL_DEL, fd, nullptr);
      continue;
    }
    const uint32_t e = events[k].events;
    ch->process(fd, e & (EPOLLIN | EPOLLERR | EPOLLHUP), e & (EPOLLOUT | EPOLLERR));
  }
  d->drain();  // may delete the dispatcher: nothing touches it afterwards
}

void Dispatcher::push(Completion* c) {
  c->next_ready_ = nullptr;
  if (tail_) tail_->next_ready_ = c;
  else head_ = c;
  tail_ = c;
}

void Dispatcher::drain() {
  ++draining_;
  while (Completion* c = head_) {
    head_ = c->next_ready_;
    if (!head_) tail_ = nullptr;
    c->next_ready_ = nullptr;
    c->complete();
  }
  if (--draining_ == 0) after_drain();
}

}  // namespace coredns::plugins::forward
