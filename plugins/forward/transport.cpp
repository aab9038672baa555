#include "plugins/forward/transport.h"

#include <algorithm>

#include "core/async/loop.h"
#include "plugins/forward/health.h"

namespace coredns::plugins::forward {
namespace {

using Clock = std::chrono::steady_clock;

// CoreDNS sweeps idle connections every 10 s, whatever `expire` is.
constexpr uint64_t kSweepMs = 10'000;

struct Sweeper {
  uv_timer_t handle;
  WorkerTransport* transport;
};

}  // namespace

WorkerTransport::WorkerTransport(std::shared_ptr<const ForwardShared> shared, uv_loop_t* loop)
    : Dispatcher(loop),
      shared_(std::move(shared)),
      loop_(loop),
      pools_(shared_->upstreams.size()),
      health_(shared_->upstreams.size()) {
  auto* s = new Sweeper{};
  s->transport = this;
  uv_timer_init(loop_, &s->handle);
  uv_timer_start(
      &s->handle, [](uv_timer_t* t) { reinterpret_cast<Sweeper*>(t)->transport->sweep(); },
      kSweepMs, kSweepMs);
  // Idle pools must not keep a worker's loop alive at exit.
  uv_unref(reinterpret_cast<uv_handle_t*>(&s->handle));
  sweeper_ = &s->handle;
}

WorkerTransport::~WorkerTransport() = default;

Channel* WorkerTransport::make_channel(size_t index, bool tcp, bool edns) {
  ChannelOptions o;
  o.upstream = &shared_->upstreams[index]->spec();
  o.tcp = tcp;
  o.edns = edns && !tcp;
  // TCP connections are pooled (closed by `expire`); UDP channels close their socket whenever
  // they go idle, so that the next query gets a new source port.
  o.stay_open = tcp;
  o.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(shared_->config.read_timeout);
  o.source = shared_->config.source_address ? &*shared_->config.source_address : nullptr;
  return Channel::create(*this, loop_, o);
}

Channel* WorkerTransport::udp_channel(size_t index, bool edns, bool& reused) {
  auto& pool = pools_[index].udp[edns ? 1 : 0];
  Channel* least_busy = nullptr;
  for (size_t i = 0; i < pool.size(); ++i) {
    Channel* ch = pool[i];
    if (ch->retired()) {
      if (ch->inflight() == 0) {
        delete ch;
        pool.erase(pool.begin() + static_cast<long>(i--));
      }
      continue;
    }
    if (ch->inflight() == 0) {
      reused = false;  // its socket was closed when it went idle
      return ch;
    }
    if (ch->sends_since_idle() < kMaxQueriesPerSocket &&
        (!least_busy || ch->inflight() < least_busy->inflight()))
      least_busy = ch;
  }
  if (pool.size() < kMaxUdpChannels || (!least_busy && pool.empty())) {
    if (Channel* ch = make_channel(index, false, edns)) {
      pool.push_back(ch);
      reused = false;
      return ch;
    }
  }
  if (!least_busy) {
    // Every socket reached its quota: share the least busy one until one drains.
    for (Channel* ch : pool)
      if (!ch->retired() && (!least_busy || ch->inflight() < least_busy->inflight())) least_busy = ch;
  }
  reused = least_busy != nullptr;
  return least_busy;
}

Channel* WorkerTransport::tcp_channel(size_t index, bool& reused) {
  Channel*& ch = pools_[index].tcp;
  if (ch && ch->inflight() == 0) {
    const auto now = Clock::now();
    const auto& cfg = shared_->config;
    const bool stale = now - ch->last_used() > cfg.expire ||
                       (cfg.max_age > Duration::zero() && now - ch->created() > cfg.max_age);
    if (stale) {
      delete ch;
      ch = nullptr;
    }
  }
  if (!ch) ch = make_channel(index, true, false);
  reused = ch && ch->has_socket();
  return ch;
}

bool WorkerTransport::start(size_t index, std::span<const uint8_t> query, bool tcp, bool edns,
                            Completion* c) {
  bool reused = false;
  Channel* ch = tcp ? tcp_channel(index, reused) : udp_channel(index, edns, reused);
  if (!ch) {
    c->result = {};
    c->result.status = ARES_ENOMEM;
    c->result.error = "proxy: cannot create a c-ares channel";
    return false;
  }
  shared_->upstreams[index]->count_connection(tcp, reused);
  return ch->send(query, c);
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
  const auto& cfg = shared_->config;
  for (Pools& p : pools_) {
    for (auto& pool : p.udp) {
      // One idle channel stays warm; the others go once idle for longer than `expire`.
      bool kept = false;
      for (size_t i = 0; i < pool.size(); ++i) {
        Channel* ch = pool[i];
        if (ch->inflight() > 0) continue;
        if (!ch->retired() && (!kept || now - ch->last_used() <= cfg.expire)) {
          kept = true;
          continue;
        }
        delete ch;
        pool.erase(pool.begin() + static_cast<long>(i--));
      }
    }
    if (p.tcp && p.tcp->inflight() == 0 &&
        (now - p.tcp->last_used() > cfg.expire ||
         (cfg.max_age > Duration::zero() && now - p.tcp->created() > cfg.max_age))) {
      delete p.tcp;
      p.tcp = nullptr;
    }
  }
}

size_t WorkerTransport::channel_count(size_t index) const {
  const Pools& p = pools_[index];
  return p.udp[0].size() + p.udp[1].size() + (p.tcp ? 1 : 0);
}

void WorkerTransport::shutdown() {
  stopping_ = true;
  if (sweeper_) {
    uv_timer_stop(sweeper_);
    async::close_and_delete(reinterpret_cast<Sweeper*>(sweeper_));
    sweeper_ = nullptr;
  }
  // Destroying a channel ends its pending exchanges; their completions run in drain().
  for (auto& h : health_)
    if (h) h->stop();
  for (Pools& p : pools_) {
    for (auto& pool : p.udp) {
      for (Channel* ch : pool) delete ch;
      pool.clear();
    }
    delete p.tcp;
    p.tcp = nullptr;
  }
  if (!draining()) drain();
}

void WorkerTransport::after_drain() {
  if (!stopping_) return;
  health_.clear();
  delete this;
}

}  // namespace coredns::plugins::forward
