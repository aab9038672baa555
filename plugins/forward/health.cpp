#include "plugins/forward/health.h"

#include <algorithm>

#include "core/async/loop.h"
#include "core/dns/message.h"

namespace coredns::plugins::forward {

HealthLoop::HealthLoop(WorkerTransport& transport, size_t index)
    : transport_(transport), index_(index) {}

HealthLoop::~HealthLoop() {
  stop();
  transport_.shared().upstreams[index_]->end_check();
}

void HealthLoop::stop() {
  if (pause_) {
    uv_timer_stop(&pause_->handle);
    async::close_and_delete(pause_);
    pause_ = nullptr;
  }
}

void HealthLoop::probe() {
  const ForwardShared& shared = transport_.shared();
  // Over the transport queries use (force_tcp: a pooled connection), as CoreDNS's probes.
  if (!transport_.start(index_, shared.probe_query, shared.config.force_tcp, true, this))
    complete();
}

void HealthLoop::complete() {
  if (transport_.stopping()) return;
  const ForwardShared& shared = transport_.shared();
  Upstream& up = *shared.upstreams[index_];
  dns::MessageView view;
  if (result.ok && view.parse(result.reply) == dns::MessageView::Error::none) {
    up.probe_succeeded(shared.config.max_fails);
    transport_.health_done(index_);  // deletes this
    return;
  }
  up.probe_failed(shared.config.max_fails);
  if (!pause_) {
    pause_ = new Pause{};
    pause_->loop = this;
    uv_timer_init(transport_.loop(), &pause_->handle);
  }
  // A probe of a tls:// upstream costs a TCP and TLS handshake; while one stays down, the pause
  // doubles after each failed probe up to kMaxTlsPause (CoreDNS probes every interval).
  auto pause = shared.config.health_check;
  if (up.tls() && failed_ > 0) {
    const auto cap = std::max<Duration>(pause, kMaxTlsPause);
    for (uint32_t i = 0; i < failed_ && pause < cap; ++i) pause *= 2;
    pause = std::min<Duration>(pause, cap);
  }
  ++failed_;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(pause).count();
  uv_timer_start(
      &pause_->handle,
      [](uv_timer_t* t) {
        HealthLoop* self = reinterpret_cast<Pause*>(t)->loop;
        WorkerTransport& transport = self->transport_;
        self->probe();
        transport.drain();
      },
      static_cast<uint64_t>(ms), 0);
}

}  // namespace coredns::plugins::forward
