#include "plugins/forward/transport.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <unordered_map>

#include "core/async/loop.h"
#include "core/dns/header.h"
#include "core/util/errno_text.h"
#include "core/util/log.h"
#include "plugins/forward/framing.h"
#include "plugins/forward/health.h"
#include "plugins/forward/match.h"
#include "plugins/forward/random.h"
#include "plugins/forward/stream.h"
#include "plugins/forward/to_address.h"

namespace coredns::plugins::forward {
namespace {

using Clock = std::chrono::steady_clock;

// CoreDNS sweeps idle connections every 10 s, whatever `expire` is.
constexpr uint64_t kSweepMs = 10'000;
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

template <typename Map>
uint16_t fresh_id(const Map& in_flight) {
  uint16_t id;
  do {
    id = secure_random_u16();
  } while (in_flight.count(id));
  return id;
}

}  // namespace

// One connected UDP socket to one upstream, shared by the queries that take it in turn.
class UdpSocket {
 public:
  UdpSocket(WorkerTransport& t, size_t index) : t_(t), index_(index), opened_(Clock::now()) {}
  ~UdpSocket() { shut(); }

  void shut() {
    if (poll_) {
      uv_poll_stop(poll_);
      async::close_and_delete(poll_);
      poll_ = nullptr;
    }
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool open(std::string& error) {
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

  void queue(Completion* c) {
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

  // Takes `c` off this socket (answered, timed out or failed).
  void release(Completion* c) {
    t_.disarm(c);
    pending_.erase(c->id_);
    c->udp_ = nullptr;
    if (!out_.empty()) {
      auto it = std::find(out_.begin(), out_.end(), c);
      if (it != out_.end()) out_.erase(it);
    }
    if (retired_ && pending_.empty()) t_.bury(this);
  }

  // No new queries; closed once the last one in flight is done.
  void retire() {
    retired_ = true;
    if (pending_.empty()) t_.bury(this);
  }

  void send() {
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

  void on_readable() {
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

  void fail_all(const char* op, int err) {
    const std::string text = fmt::format("{} udp {}->{}: {}: {}", op, local_,
                                         t_.shared().upstreams[index_]->text(), op, go_errno_text(err));
    while (!pending_.empty()) {
      Completion* c = pending_.begin()->second;
      release(c);
      t_.finish(c, false, text);
    }
    out_.clear();
  }

  const std::string& local() const { return local_; }

 private:
  friend class WorkerTransport;

  bool fail(const char* op, std::string& error) {
    error = fmt::format("dial udp {}: {}: {}", t_.shared().upstreams[index_]->text(), op,
                        go_errno_text(errno));
    return false;
  }

  void receive(std::span<const uint8_t> dgram) {
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

  WorkerTransport& t_;
  size_t index_;
  int fd_ = -1;
  uv_poll_t* poll_ = nullptr;
  std::unordered_map<uint16_t, Completion*> pending_;
  std::vector<Completion*> out_;  // queued for this iteration's sendmmsg
  uint32_t carried_ = 0;
  Clock::time_point opened_;
  std::string local_;
  bool retired_ = false;
  bool dirty_ = false;
  bool dead_ = false;
};

// One stream connection to one upstream with queries pipelined on it (RFC 7766 §6.2.1.1):
// replies are matched by ID in whatever order they come.
class StreamConn : public StreamEvents {
 public:
  StreamConn(WorkerTransport& t, size_t index) : t_(t), index_(index) {
    created_ = last_used_ = Clock::now();
    const auto& src = t.shared().config.source_address;
    stream_ = open_tcp_stream(t.loop(), t.shared().upstreams[index]->spec().addr,
                              src ? &*src : nullptr, this);
  }

  void queue(Completion* c) {
    c->id_ = fresh_id(pending_);
    dns::store16(c->query_.data(), c->id_);
    c->conn_ = this;
    pending_.emplace(c->id_, c);
    append_frame(out_, c->query_);
    last_used_ = Clock::now();
    if (!dirty_) {
      dirty_ = true;
      t_.dirty_streams_.push_back(this);
    }
  }

  void release(Completion* c) {
    t_.disarm(c);
    pending_.erase(c->id_);
    c->conn_ = nullptr;
  }

  void send() {
    dirty_ = false;
    if (dead_ || out_.empty()) return;
    std::vector<uint8_t> bytes;
    bytes.swap(out_);
    stream_->write(std::move(bytes));
  }

  void close() {
    if (dead_) return;
    dead_ = true;
    stream_->close();
    t_.bury(this);
  }

  void on_open() override { local_ = stream_->local_text(); }

  void on_data(std::span<const uint8_t> bytes) override {
    ++t_.draining_;
    last_used_ = Clock::now();
    decoder_.feed(bytes, [this](std::span<const uint8_t> msg) { receive(msg); });
    --t_.draining_;
    t_.drain();
  }

  void on_end(const char* op, int err) override {
    ++t_.draining_;
    const std::string& remote = t_.shared().upstreams[index_]->text();
    std::string text;
    if (std::strcmp(op, "dial") == 0)
      text = fmt::format("dial tcp {}: connect: {}", remote, go_errno_text(-err));
    else if (err == 0)
      text = fmt::format("read tcp {}->{}: EOF", local_, remote);
    else
      text = fmt::format("{} tcp {}->{}: {}: {}", op, local_, remote, op, go_errno_text(-err));
    // Only the queries on this connection fail; the forward loop tries them again elsewhere.
    while (!pending_.empty()) {
      Completion* c = pending_.begin()->second;
      release(c);
      t_.finish(c, false, text);
    }
    auto& pool = t_.pools_[index_].streams;
    pool.erase(std::remove(pool.begin(), pool.end(), this), pool.end());
    close();
    --t_.draining_;
    t_.drain();
  }

  size_t inflight() const { return pending_.size(); }
  bool stale(Clock::time_point now, const ForwardConfig& cfg) const {
    return now - last_used_ > cfg.expire ||
           (cfg.max_age > Duration::zero() && now - created_ > cfg.max_age);
  }
  const std::string& local() const { return local_; }

 private:
  void receive(std::span<const uint8_t> msg) {
    if (msg.size() < dns::kHeaderSize) return;
    auto it = pending_.find(dns::load16(msg.data()));
    if (it == pending_.end()) return;  // timed out, or never ours
    Completion* c = it->second;
    const Match m = match_reply(c->query_, msg);
    if (m == Match::ignore) return;
    release(c);
    if (m == Match::mismatch)
      t_.finish(c, false, fmt::format("dns: reply from {} answers another question",
                                      t_.shared().upstreams[index_]->text()));
    else
      t_.finish_reply(c, msg);
  }

  WorkerTransport& t_;
  size_t index_;
  Stream* stream_ = nullptr;
  FrameDecoder decoder_;
  std::unordered_map<uint16_t, Completion*> pending_;
  std::vector<uint8_t> out_;
  std::string local_;
  Clock::time_point created_;
  Clock::time_point last_used_;
  bool dirty_ = false;
  bool dead_ = false;
};

WorkerTransport::WorkerTransport(std::shared_ptr<const ForwardShared> shared, uv_loop_t* loop)
    : shared_(std::move(shared)),
      loop_(loop),
      pools_(shared_->upstreams.size()),
      health_(shared_->upstreams.size()) {
  auto unref = [](auto* h) { uv_unref(reinterpret_cast<uv_handle_t*>(h)); };
  timer_ = new uv_timer_t{};
  timer_->data = this;
  uv_timer_init(loop_, timer_);

  sweeper_ = new uv_timer_t{};
  sweeper_->data = this;
  uv_timer_init(loop_, sweeper_);
  uv_timer_start(
      sweeper_, [](uv_timer_t* t) { static_cast<WorkerTransport*>(t->data)->sweep(); }, kSweepMs,
      kSweepMs);
  unref(sweeper_);

  // Queries started anywhere in a loop iteration leave together: after the I/O callbacks
  // (check) and, for those started by timers or the check phase, before the next poll.
  check_ = new uv_check_t{};
  check_->data = this;
  uv_check_init(loop_, check_);
  uv_check_start(check_, [](uv_check_t* h) { static_cast<WorkerTransport*>(h->data)->flush(); });
  unref(check_);
  prepare_ = new uv_prepare_t{};
  prepare_->data = this;
  uv_prepare_init(loop_, prepare_);
  uv_prepare_start(prepare_,
                   [](uv_prepare_t* h) { static_cast<WorkerTransport*>(h->data)->flush(); });
  unref(prepare_);
}

WorkerTransport::~WorkerTransport() {
  for (auto* s : dead_udp_) delete s;
  for (auto* c : dead_streams_) delete c;
  health_.clear();
  uv_timer_stop(timer_);
  async::close_and_delete(timer_);
  uv_timer_stop(sweeper_);
  async::close_and_delete(sweeper_);
  uv_check_stop(check_);
  async::close_and_delete(check_);
  uv_prepare_stop(prepare_);
  async::close_and_delete(prepare_);
}

bool WorkerTransport::start(size_t index, std::span<const uint8_t> query, bool tcp, bool probe,
                            Completion* c) {
  c->result = {};
  if (stopping_ || query.size() < dns::kHeaderSize) {
    c->result.error = "proxy: transport stopped";
    return false;
  }
  c->index_ = index;
  c->tcp_ = tcp;
  c->probe_ = probe;
  c->query_.assign(query.begin(), query.end());
  return tcp ? start_stream(c) : start_udp(c);
}

bool WorkerTransport::start_udp(Completion* c) {
  bool reused = false;
  std::string error;
  Pools& p = pools_[c->index_];
  UdpSocket* s = p.current_flush == flushes_ ? p.current : nullptr;
  if (s && !s->retired_ && s->carried_ < kQueriesPerSocket) {
    reused = true;
  } else {
    // The next socket in turn; queries of one iteration share it, so they leave together.
    if (p.udp.empty()) p.udp.resize(kUdpSockets, nullptr);
    UdpSocket*& slot = p.udp[p.next_udp++ % kUdpSockets];
    const auto now = Clock::now();
    if (slot && (slot->carried_ >= kQueriesPerSocket || now - slot->opened_ >= kSocketLifetime)) {
      slot->retire();
      slot = nullptr;
    }
    if (!slot) {
      auto* fresh = new UdpSocket(*this, c->index_);
      if (!fresh->open(error)) {
        delete fresh;
        c->result.error = std::move(error);
        return false;
      }
      slot = fresh;
    } else {
      reused = true;
    }
    s = slot;
    p.current = s;
    p.current_flush = flushes_;
  }
  if (!c->probe_) shared_->upstreams[c->index_]->count_connection(false, reused);
  s->queue(c);
  arm(c);
  return true;
}

bool WorkerTransport::start_stream(Completion* c) {
  bool reused = false;
  StreamConn* conn = stream_conn(c->index_, reused);
  if (!c->probe_) shared_->upstreams[c->index_]->count_connection(true, reused);
  conn->queue(c);
  arm(c);
  return true;
}

StreamConn* WorkerTransport::stream_conn(size_t index, bool& reused) {
  auto& pool = pools_[index].streams;
  const auto now = Clock::now();
  StreamConn* best = nullptr;
  for (size_t i = 0; i < pool.size(); ++i) {
    StreamConn* conn = pool[i];
    if (conn->inflight() == 0 && conn->stale(now, shared_->config)) {
      conn->close();
      pool.erase(pool.begin() + static_cast<long>(i--));
      continue;
    }
    if (!best || conn->inflight() < best->inflight()) best = conn;
  }
  if ((!best || best->inflight() >= kPipelineDepth) && pool.size() < kMaxStreams) {
    best = new StreamConn(*this, index);
    pool.push_back(best);
    reused = false;
    return best;
  }
  reused = true;
  return best;
}

void WorkerTransport::retry_over_stream(Completion* c) {
  c->tcp_ = true;
  if (!start_stream(c)) push_ready(c);
}

void WorkerTransport::finish(Completion* c, bool ok, std::string error) {
  c->result.ok = ok;
  c->result.error = std::move(error);
  push_ready(c);
}

void WorkerTransport::finish_reply(Completion* c, std::span<const uint8_t> reply) {
  c->result.ok = true;
  c->result.reply.assign(reply.begin(), reply.end());
  push_ready(c);
}

void WorkerTransport::push_ready(Completion* c) {
  c->next_ready_ = nullptr;
  if (ready_tail_) ready_tail_->next_ready_ = c;
  else ready_head_ = c;
  ready_tail_ = c;
}

void WorkerTransport::drain() {
  ++draining_;
  while (Completion* c = ready_head_) {
    ready_head_ = c->next_ready_;
    if (!ready_head_) ready_tail_ = nullptr;
    c->next_ready_ = nullptr;
    c->complete();
  }
  if (--draining_ > 0) return;
  // Sockets and connections are freed only here, when no callback can still hold them.
  for (auto* s : dead_udp_) delete s;
  dead_udp_.clear();
  for (auto* c : dead_streams_) delete c;
  dead_streams_.clear();
  if (stopping_) delete this;
}

void WorkerTransport::bury(UdpSocket* s) {
  if (s->dead_) return;
  s->dead_ = true;
  if (pools_[s->index_].current == s) pools_[s->index_].current = nullptr;
  s->shut();
  dead_udp_.push_back(s);
}

void WorkerTransport::bury(StreamConn* c) { dead_streams_.push_back(c); }

void WorkerTransport::arm(Completion* c) {
  const auto timeout = c->probe_ ? std::chrono::duration_cast<Clock::duration>(kProbeTimeout)
                                 : std::chrono::duration_cast<Clock::duration>(shared_->config.read_timeout);
  c->deadline_ = Clock::now() + timeout;
  // Every exchange of a list has the same timeout, so appending keeps it in deadline order.
  TimeoutList& l = timeouts_[c->probe_ ? 1 : 0];
  c->prev_ = l.tail;
  c->next_ = nullptr;
  if (l.tail) l.tail->next_ = c;
  else l.head = c;
  l.tail = c;
  c->timed_ = true;
  if (!uv_is_active(reinterpret_cast<uv_handle_t*>(timer_)) || c->deadline_ < timer_due_) {
    timer_due_ = c->deadline_;
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(timeout).count();
    uv_timer_start(
        timer_, [](uv_timer_t* t) { static_cast<WorkerTransport*>(t->data)->on_timer(); },
        static_cast<uint64_t>(ms), 0);
  }
}

void WorkerTransport::disarm(Completion* c) {
  if (!c->timed_) return;
  TimeoutList& l = timeouts_[c->probe_ ? 1 : 0];
  if (c->prev_) c->prev_->next_ = c->next_;
  else l.head = c->next_;
  if (c->next_) c->next_->prev_ = c->prev_;
  else l.tail = c->prev_;
  c->prev_ = c->next_ = nullptr;
  c->timed_ = false;
}

void WorkerTransport::on_timer() {
  ++draining_;
  const auto now = Clock::now();
  for (TimeoutList& l : timeouts_) {
    while (l.head && l.head->deadline_ <= now) {
      Completion* c = l.head;
      disarm(c);
      const std::string& remote = shared_->upstreams[c->index_]->text();
      std::string text;
      if (c->udp_) {
        text = fmt::format("read udp {}->{}: i/o timeout", c->udp_->local(), remote);
        c->udp_->release(c);
      } else if (c->conn_) {
        // Before the connection was made there is no local address: the dial timed out.
        text = c->conn_->local().empty()
                   ? fmt::format("dial tcp {}: i/o timeout", remote)
                   : fmt::format("read tcp {}->{}: i/o timeout", c->conn_->local(), remote);
        c->conn_->release(c);
      }
      finish(c, false, std::move(text));
    }
  }
  Clock::time_point next = Clock::time_point::max();
  for (TimeoutList& l : timeouts_)
    if (l.head) next = std::min(next, l.head->deadline_);
  if (next != Clock::time_point::max()) {
    timer_due_ = next;
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(next - now).count();
    uv_timer_start(
        timer_, [](uv_timer_t* t) { static_cast<WorkerTransport*>(t->data)->on_timer(); },
        static_cast<uint64_t>(std::max<int64_t>(ms, 1)), 0);
  }
  --draining_;
  drain();
}

void WorkerTransport::flush() {
  if (dirty_udp_.empty() && dirty_streams_.empty()) return;
  ++flushes_;
  ++draining_;
  // A send that fails completes exchanges whose waiters may queue new ones: swap first.
  std::vector<UdpSocket*> udp;
  udp.swap(dirty_udp_);
  for (UdpSocket* s : udp) s->send();
  std::vector<StreamConn*> streams;
  streams.swap(dirty_streams_);
  for (StreamConn* c : streams) c->send();
  --draining_;
  drain();
}

void WorkerTransport::start_health_check(size_t index) {
  if (stopping_ || health_[index]) return;
  Upstream& up = *shared_->upstreams[index];
  if (!up.begin_check()) return;
  health_[index] = std::make_unique<HealthLoop>(*this, index);
  health_[index]->probe();
}

void WorkerTransport::health_done(size_t index) { health_[index].reset(); }

void WorkerTransport::sweep() {
  const auto now = Clock::now();
  ++draining_;
  for (Pools& p : pools_) {
    // A socket idle past its lifetime goes, so that no port stays open for nothing.
    for (UdpSocket*& s : p.udp) {
      if (s && s->pending_.empty() && now - s->opened_ >= kSocketLifetime) {
        s->retire();
        s = nullptr;
      }
    }
    for (size_t i = 0; i < p.streams.size(); ++i) {
      StreamConn* c = p.streams[i];
      if (c->inflight() == 0 && c->stale(now, shared_->config)) {
        c->close();
        p.streams.erase(p.streams.begin() + static_cast<long>(i--));
      }
    }
  }
  --draining_;
  drain();
}

void WorkerTransport::shutdown() {
  stopping_ = true;
  ++draining_;
  for (auto& h : health_)
    if (h) h->stop();
  for (TimeoutList& l : timeouts_) {
    while (Completion* c = l.head) {
      disarm(c);
      if (c->udp_) c->udp_->release(c);
      if (c->conn_) c->conn_->release(c);
      finish(c, false, "proxy: transport stopped");
    }
  }
  for (Pools& p : pools_) {
    for (UdpSocket*& s : p.udp)
      if (s) bury(s), s = nullptr;
    for (StreamConn* c : p.streams) c->close();
    p.streams.clear();
  }
  dirty_udp_.clear();
  dirty_streams_.clear();
  --draining_;
  drain();
}

}  // namespace coredns::plugins::forward
