#include "plugins/forward/cares_channel.h"

#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>

#include "core/async/loop.h"
#include "core/dns/header.h"
#include "core/plugin/request.h"
#include "core/util/errno_text.h"
#include "core/util/log.h"
#include "plugins/forward/random.h"

namespace coredns::plugins::forward {

struct Channel::TimerHandle {
  uv_timer_t handle;
  Channel* channel;
};

namespace {

// c-ares reads at most 4096 bytes of a UDP reply (its MAXENDSSZ); a larger reply, or one that
// says TC, is asked again over TCP.
constexpr int kEdnsReplySize = 4096;

std::string local_text(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (fd < 0 || getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "";
  Endpoint e = Endpoint::from(reinterpret_cast<sockaddr*>(&ss));
  return fmt::format("{}:{}", e.ip_bracketed(), e.port());
}

bool transient(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINTR; }

}  // namespace

Channel::Channel(Dispatcher& dispatcher, uv_loop_t* loop, const ChannelOptions& options)
    : dispatcher_(dispatcher), loop_(loop), options_(options) {
  created_ = last_used_ = std::chrono::steady_clock::now();
}

Channel* Channel::create(Dispatcher& dispatcher, uv_loop_t* loop, const ChannelOptions& options) {
  auto* ch = new Channel(dispatcher, loop, options);
  if (!ch->init()) {
    delete ch;
    return nullptr;
  }
  return ch;
}

bool Channel::init() {
  ares_options o{};
  // Every setting c-ares would otherwise read from resolv.conf is given, so creating a channel
  // touches no file but /dev/urandom.
  int mask = ARES_OPT_FLAGS | ARES_OPT_TRIES | ARES_OPT_TIMEOUTMS | ARES_OPT_SOCK_STATE_CB |
             ARES_OPT_LOOKUPS | ARES_OPT_NDOTS | ARES_OPT_DOMAINS | ARES_OPT_SORTLIST |
             ARES_OPT_NOROTATE | ARES_OPT_SERVERS;
  // NOCHECKRESP: SERVFAIL, NOTIMP and REFUSED come back as answers instead of errors.
  o.flags = ARES_FLAG_NOCHECKRESP;
  if (options_.tcp) o.flags |= ARES_FLAG_USEVC;
  if (options_.stay_open) o.flags |= ARES_FLAG_STAYOPEN;
  if (options_.ignore_tc) o.flags |= ARES_FLAG_IGNTC;
  if (options_.edns) {
    // Only the size limit matters to us: ares_send never adds an OPT. Without it c-ares treats
    // every UDP reply over 512 bytes as truncated.
    o.flags |= ARES_FLAG_EDNS;
    o.ednspsz = kEdnsReplySize;
    mask |= ARES_OPT_EDNSPSZ;
  }
  o.tries = 1;  // the forward loop, not c-ares, decides where to try next
  o.timeout = static_cast<int>(options_.timeout.count());
  o.sock_state_cb = &Channel::on_sock_state;
  o.sock_state_cb_data = this;
  o.lookups = const_cast<char*>("b");
  o.ndots = 1;
  in_addr placeholder{htonl(INADDR_LOOPBACK)};
  o.servers = &placeholder;
  o.nservers = 1;
  int status = ares_init_options(&channel_, &o, mask);
  if (status != ARES_SUCCESS) {
    log::plugin_logger("forward").error(fmt::format("c-ares channel: {}", ares_strerror(status)));
    channel_ = nullptr;
    return false;
  }
  ares_addr_port_node server{};
  const sockaddr_storage& a = options_.upstream->addr;
  server.family = a.ss_family;
  if (a.ss_family == AF_INET) {
    const auto* s4 = reinterpret_cast<const sockaddr_in*>(&a);
    server.addr.addr4 = s4->sin_addr;
    server.udp_port = server.tcp_port = ntohs(s4->sin_port);
  } else {
    const auto* s6 = reinterpret_cast<const sockaddr_in6*>(&a);
    std::memcpy(&server.addr.addr6, &s6->sin6_addr, 16);
    server.udp_port = server.tcp_port = ntohs(s6->sin6_port);
  }
  status = ares_set_servers_ports(channel_, &server);
  if (status != ARES_SUCCESS) {
    log::plugin_logger("forward").error(fmt::format("c-ares servers: {}", ares_strerror(status)));
    return false;
  }
  // Our own socket calls: sockets are opened non-blocking with the source address bound, the
  // link-local scope c-ares 1.18 cannot carry is put back on connect, empty datagrams are
  // skipped, and socket errors are kept for the error text.
  socket_functions_ = {&Channel::sock_open, &Channel::sock_close, &Channel::sock_connect,
                       &Channel::sock_recvfrom, &Channel::sock_sendv};
  ares_set_socket_functions(channel_, &socket_functions_, this);

  timer_ = new TimerHandle{};
  timer_->channel = this;
  uv_timer_init(loop_, &timer_->handle);
  return true;
}

Channel::~Channel() {
  if (channel_) ares_destroy(channel_);
  for (int fd : fds_) dispatcher_.unwatch(fd);
  if (timer_) {
    uv_timer_stop(&timer_->handle);
    async::close_and_delete(timer_);
  }
}

bool Channel::send(std::span<const uint8_t> query, Completion* c) {
  thread_local std::vector<uint8_t> buf;
  uint16_t id;
  do {
    id = secure_random_u16();
  } while (std::find(ids_.begin(), ids_.end(), id) != ids_.end());
  buf.assign(query.begin(), query.end());
  dns::store16(buf.data(), id);
  c->channel_ = this;
  c->id_ = id;
  c->result = {};
  ids_.push_back(id);
  ++sends_since_idle_;
  last_used_ = std::chrono::steady_clock::now();
  sending_ = c;
  ares_send(channel_, buf.data(), static_cast<int>(buf.size()), &Channel::on_reply, c);
  const bool pending = sending_ == c;
  sending_ = nullptr;
  if (pending) update_timer();
  return pending;
}

void Channel::on_reply(void* arg, int status, int, unsigned char* abuf, int alen) {
  auto* c = static_cast<Completion*>(arg);
  Channel* ch = c->channel_;
  auto it = std::find(ch->ids_.begin(), ch->ids_.end(), c->id_);
  if (it != ch->ids_.end()) ch->ids_.erase(it);
  if (ch->ids_.empty()) ch->sends_since_idle_ = 0;
  c->result.status = status;
  if (status == ARES_SUCCESS && abuf && alen > 0) {
    c->result.reply.assign(abuf, abuf + alen);
    ch->retire_if_edns_lost(c->result.reply);
  } else {
    if (status == ARES_SUCCESS) c->result.status = ARES_EBADRESP;
    c->result.error = ch->error_text(c->result.status);
  }
  if (ch->sending_ == c) {
    ch->sending_ = nullptr;  // finished inside ares_send: the caller takes the result
    return;
  }
  ch->dispatcher_.push(c);
}

void Channel::retire_if_edns_lost(const std::vector<uint8_t>& reply) {
  // c-ares answers a FORMERR without OPT by resending the query with its last 11 bytes cut
  // (an option-less OPT) and clearing ARES_FLAG_EDNS for the whole channel. The channel then
  // has the wrong size limit, so it takes no more queries.
  if (!options_.edns || reply.size() < dns::kHeaderSize) return;
  if ((reply[3] & 0x0F) != 1) return;
  ares_options o{};
  int mask = 0;
  if (ares_save_options(channel_, &o, &mask) == ARES_SUCCESS) {
    if (!(o.flags & ARES_FLAG_EDNS)) retired_ = true;
    ares_destroy_options(&o);
  }
}

std::string Channel::error_text(int status) const {
  const std::string& remote = options_.upstream->text;
  switch (status) {
    case ARES_ETIMEOUT: {
      const bool tcp = options_.tcp || udp_fd_ < 0;
      const int fd = tcp ? tcp_fd_ : udp_fd_;
      return fmt::format("read {} {}->{}: i/o timeout", tcp ? "tcp" : "udp", local_text(fd),
                         remote);
    }
    case ARES_EDESTRUCTION:
    case ARES_ECANCELLED:
      return "proxy: transport stopped";
    default:
      break;
  }
  const char* proto = failed_tcp_ ? "tcp" : "udp";
  if (failed_op_ == "connect")
    return fmt::format("dial {} {}: connect: {}", proto, remote, go_errno_text(failed_errno_));
  if (!failed_op_.empty()) {
    if (failed_errno_ == 0) return fmt::format("read {} {}->{}: EOF", proto, failed_local_, remote);
    return fmt::format("{} {} {}->{}: {}: {}", failed_op_, proto, failed_local_, remote, failed_op_,
                       go_errno_text(failed_errno_));
  }
  return fmt::format("exchange with {}: {}", remote, ares_strerror(status));
}

void Channel::note_error(int fd, const char* op, int err) {
  failed_op_ = op;
  failed_errno_ = err;
  failed_tcp_ = fd == tcp_fd_;
  failed_local_ = local_text(fd);
}

void Channel::update_timer() {
  timeval tv{};
  timeval* t = ares_timeout(channel_, nullptr, &tv);
  if (!t) {
    uv_timer_stop(&timer_->handle);
    return;
  }
  const uint64_t ms = static_cast<uint64_t>(t->tv_sec) * 1000 + (static_cast<uint64_t>(t->tv_usec) + 999) / 1000;
  uv_timer_start(&timer_->handle, &Channel::on_timer, ms, 0);
}

void Channel::on_timer(uv_timer_t* handle) {
  Channel* ch = reinterpret_cast<TimerHandle*>(handle)->channel;
  Dispatcher& d = ch->dispatcher_;
  ares_process_fd(ch->channel_, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
  ch->update_timer();
  d.drain();  // may destroy the channel: nothing touches it afterwards
}

void Channel::process(int fd, bool readable, bool writable) {
  ares_process_fd(channel_, readable ? fd : ARES_SOCKET_BAD, writable ? fd : ARES_SOCKET_BAD);
  update_timer();
}

void Channel::on_sock_state(void* data, ares_socket_t fd, int readable, int writable) {
  auto* ch = static_cast<Channel*>(data);
  auto it = std::find(ch->fds_.begin(), ch->fds_.end(), fd);
  if (!readable && !writable) {
    if (it == ch->fds_.end()) return;
    ch->fds_.erase(it);
    ch->dispatcher_.unwatch(fd);
    return;
  }
  if (it == ch->fds_.end()) ch->fds_.push_back(fd);
  ch->dispatcher_.watch(fd, ch, readable, writable);
}

ares_socket_t Channel::sock_open(int domain, int type, int protocol, void* data) {
  auto* ch = static_cast<Channel*>(data);
  int fd = ::socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd < 0) return ARES_SOCKET_BAD;
  const sockaddr_storage* src = ch->options_.source;
  if (src && src->ss_family == domain) {
    socklen_t len = domain == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(src), len) != 0) {
      const int err = errno;
      ::close(fd);
      errno = err;
      return ARES_SOCKET_BAD;
    }
  }
  if (type == SOCK_DGRAM) ch->udp_fd_ = fd;
  else ch->tcp_fd_ = fd;
  ch->failed_op_.clear();
  return fd;
}

int Channel::sock_close(ares_socket_t fd, void* data) {
  auto* ch = static_cast<Channel*>(data);
  if (fd == ch->udp_fd_) ch->udp_fd_ = -1;
  if (fd == ch->tcp_fd_) ch->tcp_fd_ = -1;
  return ::close(fd);
}

int Channel::sock_connect(ares_socket_t fd, const sockaddr* addr, ares_socklen_t len, void* data) {
  auto* ch = static_cast<Channel*>(data);
  const sockaddr_storage& up = ch->options_.upstream->addr;
  sockaddr_in6 scoped;
  if (addr->sa_family == AF_INET6 && up.ss_family == AF_INET6 &&
      reinterpret_cast<const sockaddr_in6*>(&up)->sin6_scope_id != 0) {
    std::memcpy(&scoped, addr, sizeof scoped);
    scoped.sin6_scope_id = reinterpret_cast<const sockaddr_in6*>(&up)->sin6_scope_id;
    addr = reinterpret_cast<const sockaddr*>(&scoped);
  }
  int r = ::connect(fd, addr, len);
  if (r != 0 && errno != EINPROGRESS) {
    const int err = errno;
    ch->note_error(fd, "connect", err);
    errno = err;
  }
  return r;
}

ares_ssize_t Channel::sock_recvfrom(ares_socket_t fd, void* buf, size_t len, int flags,
                                    sockaddr* from, ares_socklen_t* fromlen, void* data) {
  auto* ch = static_cast<Channel*>(data);
  while (true) {
    ares_ssize_t n = ::recvfrom(fd, buf, len, flags, from, fromlen);
    // c-ares takes an empty datagram for a dead socket and fails every query on it; anyone can
    // spoof one, so it is skipped like any other datagram that is not an answer.
    if (n == 0 && fd == ch->udp_fd_) continue;
    if (n < 0 && !transient(errno)) {
      const int err = errno;
      ch->note_error(fd, "read", err);
      errno = err;
    } else if (n == 0) {
      ch->note_error(fd, "read", 0);
    }
    return n;
  }
}

ares_ssize_t Channel::sock_sendv(ares_socket_t fd, const iovec* iov, int n, void* data) {
  auto* ch = static_cast<Channel*>(data);
  ares_ssize_t r = ::writev(fd, iov, n);
  if (r < 0 && !transient(errno)) {
    const int err = errno;
    ch->note_error(fd, "write", err);
    errno = err;
  }
  return r;
}

}  // namespace coredns::plugins::forward
