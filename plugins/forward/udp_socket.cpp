#include "plugins/forward/udp_socket.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>

#include "core/async/loop.h"
#include "core/dns/header.h"
#include "core/util/errno_text.h"
#include "plugins/forward/match.h"
#include "plugins/forward/random.h"
#include "plugins/forward/to_address.h"

namespace coredns::plugins::forward {
namespace {

// Datagrams read or written per recvmmsg / sendmmsg.
constexpr unsigned kBatch = 32;

socklen_t addr_len(const sockaddr_storage& a) {
  return a.ss_family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
}

std::string local_text(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (fd < 0 || getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "";
  return address_text(ss);
}

// The datagram came from the upstream's address and port (RFC 5452 §9.1). The socket is
// connected, so the kernel already drops others; this keeps the rule visible and independent.
bool same_endpoint(const sockaddr_storage& a, const sockaddr_storage& b) {
  if (a.ss_family != b.ss_family) return false;
  if (a.ss_family == AF_INET) {
    const auto& x = reinterpret_cast<const sockaddr_in&>(a);
    const auto& y = reinterpret_cast<const sockaddr_in&>(b);
    return x.sin_port == y.sin_port && x.sin_addr.s_addr == y.sin_addr.s_addr;
  }
  const auto& x = reinterpret_cast<const sockaddr_in6&>(a);
  const auto& y = reinterpret_cast<const sockaddr_in6&>(b);
  return x.sin6_port == y.sin6_port && std::memcmp(&x.sin6_addr, &y.sin6_addr, 16) == 0;
}

}  // namespace

void UdpSocket::shut() {
  if (poll_) {
    uv_poll_stop(poll_);
    async::close_and_delete(poll_);
    poll_ = nullptr;
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool UdpSocket::open(std::string& error) {
  const auto& up = t_.shared().upstreams[index_]->spec();
  const auto& src = t_.shared().config.source_address;
  const char* op = "socket";
  fd_ = ::socket(up.addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ >= 0 && src && src->ss_family == up.addr.ss_family) {
    op = "bind";
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&*src), addr_len(*src)) != 0) return fail(op, error);
  }
  if (fd_ < 0) return fail(op, error);
  // Connecting binds a random ephemeral port (RFC 5452 §10) and makes the kernel drop
  // datagrams from any other address or port. The sockaddr keeps an IPv6 scope id.
  op = "connect";
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&up.addr), addr_len(up.addr)) != 0)
    return fail(op, error);
  // Replies to every query on the socket queue here between two reads: room for a burst
  // (the kernel caps it at net.core.rmem_max).
  const int rcvbuf = 1 << 20;
  setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  // A uv_poll per socket costs about five system calls over the socket's life (libuv probes
  // the fd, adds it, removes it), a few hundredths of one per query; one epoll set of ours
  // for all sockets would cost an extra epoll_wait for every wake-up instead.
  poll_ = new uv_poll_t{};
  poll_->data = this;
  if (uv_poll_init(t_.loop(), poll_, fd_) != 0) {
    delete poll_;
    poll_ = nullptr;
    errno = EINVAL;
    return fail("poll", error);
  }
  uv_poll_start(poll_, UV_READABLE, [](uv_poll_t* h, int, int) {
    auto* self = static_cast<UdpSocket*>(h->data);
    WorkerTransport& t = self->t_;
    ++t.draining_;
    self->on_readable();
    --t.draining_;
    t.drain();  // may delete the transport: nothing touches it afterwards
  });
  // Idle sockets must not keep a worker's loop alive at exit; pending queries have a timer.
  uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
  local_ = local_text(fd_);
  return true;
}

void UdpSocket::queue(Completion* c) {
  c->id_ = fresh_id(pending_);
  dns::store16(c->query_.data(), c->id_);
  c->udp_ = this;
  pending_.emplace(c->id_, c);
  out_.push_back(c);
  ++carried_;
  if (!dirty_) {
    dirty_ = true;
    t_.dirty_udp_.push_back(this);
  }
}

void UdpSocket::release(Completion* c) {
  t_.disarm(c);
  pending_.erase(c->id_);
  c->udp_ = nullptr;
  if (!out_.empty()) {
    auto it = std::find(out_.begin(), out_.end(), c);
    if (it != out_.end()) out_.erase(it);
  }
  if (retired_ && pending_.empty()) t_.bury(this);
}

void UdpSocket::retire() {
  retired_ = true;
  if (pending_.empty()) t_.bury(this);
}

void UdpSocket::send() {
  dirty_ = false;
  if (dead_) return;
  size_t k = 0;
  while (k < out_.size()) {
    mmsghdr msgs[kBatch];
    iovec iov[kBatch];
    const size_t n = std::min<size_t>(kBatch, out_.size() - k);
    for (size_t i = 0; i < n; ++i) {
      iov[i] = {out_[k + i]->query_.data(), out_[k + i]->query_.size()};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    const int r = sendmmsg(fd_, msgs, static_cast<unsigned>(n), MSG_DONTWAIT);
    if (r < 0) {
      if (errno == EINTR) continue;
      // A full send buffer: the rest are lost like any datagram and time out.
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      fail_all("write", errno);
      return;
    }
    k += static_cast<size_t>(r);
  }
  out_.clear();
}

void UdpSocket::on_readable() {
  if (dead_) return;
  static thread_local std::vector<uint8_t> space(size_t{kBatch} * 65536);
  const sockaddr_storage& upstream = t_.shared().upstreams[index_]->spec().addr;
  while (!dead_) {
    mmsghdr msgs[kBatch];
    iovec iov[kBatch];
    sockaddr_storage from[kBatch];
    for (unsigned i = 0; i < kBatch; ++i) {
      iov[i] = {space.data() + size_t{i} * 65536, 65536};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_name = &from[i];
      msgs[i].msg_hdr.msg_namelen = sizeof from[i];
    }
    const int n = recvmmsg(fd_, msgs, kBatch, MSG_DONTWAIT, nullptr);
    if (n < 0) {
      if (errno == EINTR) continue;
      // An ICMP error (port unreachable: connection refused) cannot be traced to one query;
      // it says the upstream is unreachable for all of them.
      if (errno != EAGAIN && errno != EWOULDBLOCK) fail_all("read", errno);
      return;
    }
    for (int i = 0; i < n && !dead_; ++i) {
      if (!same_endpoint(from[i], upstream)) continue;
      receive({static_cast<const uint8_t*>(iov[i].iov_base), msgs[i].msg_len});
    }
    if (static_cast<unsigned>(n) < kBatch) return;
  }
}

void UdpSocket::fail_all(const char* op, int err) {
  const std::string text = fmt::format("{} udp {}->{}: {}: {}", op, local_,
                                       t_.shared().upstreams[index_]->text(), op, go_errno_text(err));
  while (!pending_.empty()) {
    Completion* c = pending_.begin()->second;
    release(c);
    t_.finish(c, false, text);
  }
  out_.clear();
}

bool UdpSocket::fail(const char* op, std::string& error) {
  error = fmt::format("dial udp {}: {}: {}", t_.shared().upstreams[index_]->text(), op,
                      go_errno_text(errno));
  return false;
}

void UdpSocket::receive(std::span<const uint8_t> dgram) {
  // Empty and short datagrams are no answer: anyone can send one.
  if (dgram.size() < dns::kHeaderSize) return;
  auto it = pending_.find(dns::load16(dgram.data()));
  if (it == pending_.end()) return;
  Completion* c = it->second;
  switch (match_reply(c->query_, dgram)) {
    case Match::ignore:
      return;
    case Match::mismatch: {
      const bool echo = !(dgram[2] & 0x80);
      release(c);
      const std::string& remote = t_.shared().upstreams[index_]->text();
      t_.finish(c, false,
                echo ? fmt::format("dns: reply from {} is not a response", remote)
                     : fmt::format("dns: reply from {} answers another question", remote));
      return;
    }
    case Match::answer:
      release(c);
      // A truncated answer is asked again over TCP (RFC 7766 §5); a probe takes any reply.
      if ((dgram[2] & 0x02) && !c->probe_) t_.retry_over_stream(c);
      else t_.finish_reply(c, dgram);
      return;
  }
}

}  // namespace coredns::plugins::forward
