#include "plugins/forward/transport.h"

#include <algorithm>
#include <fmt/format.h>

#include "core/async/loop.h"
#include "core/dns/header.h"
#include "plugins/forward/health.h"
#include "plugins/forward/stream_conn.h"
#include "plugins/forward/udp_socket.h"

namespace coredns::plugins::forward {
namespace {

using Clock = std::chrono::steady_clock;

// CoreDNS sweeps idle connections every 10 s, whatever `expire` is.
constexpr uint64_t kSweepMs = 10'000;

}  // namespace

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
  // A tls:// upstream takes every query over TLS, whatever the client used (CoreDNS).
  tcp = tcp || shared_->upstreams[index]->tls();
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
