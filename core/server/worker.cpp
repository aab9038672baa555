#include "core/server/worker.h"

#include <algorithm>
#include <chrono>
#include <pthread.h>

#include <fmt/format.h>

#include "core/async/loop.h"
#include "core/async/worker_id.h"
#include "core/server/tcp_endpoint.h"
#include "core/server/udp_endpoint.h"
#include "core/util/log.h"

namespace coredns::server {
void HeldConfig::leave() {
  if (--inflight == 0 && retired) worker->release(this);
}

Worker::Worker(int id) : id_(id) {
  uv_loop_init(&loop_);
  uv_async_init(&loop_, &wakeup_, [](uv_async_t* a) { static_cast<Worker*>(a->data)->drain_posts(); });
  wakeup_.data = this;
  uv_check_init(&loop_, &flusher_);
  flusher_.data = this;
  uv_prepare_init(&loop_, &pre_flusher_);
  pre_flusher_.data = this;
}

Worker::~Worker() {
  if (thread_.joinable()) thread_.join();
  // A worker that never ran (the startup failed) still has its handles open, and the loop
  // cannot be closed (nor its memory freed) until they are.
  bool closing = false;
  for (auto* h : {reinterpret_cast<uv_handle_t*>(&wakeup_), reinterpret_cast<uv_handle_t*>(&flusher_),
                  reinterpret_cast<uv_handle_t*>(&pre_flusher_)}) {
    if (uv_is_closing(h)) continue;
    uv_close(h, nullptr);
    closing = true;
  }
  if (closing) uv_run(&loop_, UV_RUN_DEFAULT);
  uv_loop_close(&loop_);
}

void Worker::start() {
  thread_ = std::thread([this] { run(); });
}

void Worker::run() {
  // Named so that `top -H` and /proc/PID/task/*/comm tell the workers apart.
  pthread_setname_np(pthread_self(), fmt::format("worker {}", id_).c_str());
  async::set_worker_index(id_);
  async::set_current_loop(&loop_);
  log::enable_thread_buffer();
  uv_check_start(&flusher_, [](uv_check_t* c) { static_cast<Worker*>(c->data)->flush(); });
  uv_prepare_start(&pre_flusher_, [](uv_prepare_t* p) { static_cast<Worker*>(p->data)->flush(); });
  uv_run(&loop_, UV_RUN_DEFAULT);
  log::flush_thread();
}

void Worker::post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    posts_.push_back(std::move(fn));
  }
  uv_async_send(&wakeup_);
}

void Worker::drain_posts() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    batch.swap(posts_);
  }
  for (auto& fn : batch) fn();
}

void Worker::flush() {
  for (auto& [key, ep] : udp_) ep->flush();
  log::flush_thread();
}

void Worker::point_endpoints_at(HeldConfig* ref) {
  const auto& servers = ref->config->servers();
  for (auto& [key, ep] : udp_) {
    auto it = servers.find(key);
    ep->serve(it == servers.end() ? nullptr : it->second.get(), ref);
  }
  for (auto& [key, ep] : tcp_) {
    auto it = servers.find(key);
    ep->serve(it == servers.end() ? nullptr : it->second.get(), ref);
  }
}

void Worker::adopt(std::shared_ptr<Config> instance, std::map<std::string, SocketPair> new_sockets,
                   std::vector<std::string> keep, std::function<void()> done) {
  post([this, instance = std::move(instance), new_sockets = std::move(new_sockets),
        keep = std::move(keep), done = std::move(done)]() mutable {
    // Close the endpoints of addresses the new configuration no longer has.
    for (auto it = udp_.begin(); it != udp_.end();) {
      if (std::find(keep.begin(), keep.end(), it->first) == keep.end()) {
        it->second.release()->close();
        it = udp_.erase(it);
      } else {
        ++it;
      }
    }
    for (auto it = tcp_.begin(); it != tcp_.end();) {
      if (std::find(keep.begin(), keep.end(), it->first) == keep.end()) {
        it->second.release()->close();
        it = tcp_.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& [key, pair] : new_sockets) {
      if (pair.udp_fd >= 0) udp_[key] = std::make_unique<UdpEndpoint>(*this, pair.udp_fd);
      if (pair.tcp_fd >= 0) tcp_[key] = std::make_unique<TcpEndpoint>(*this, pair.tcp_fd);
    }
    auto* ref = new HeldConfig(std::move(instance), this);
    Lifecycle::run(ref->config->lifecycle().worker_start);
    HeldConfig* old = current_;
    current_ = ref;
    point_endpoints_at(ref);
    if (old) {
      old->retired = true;
      if (old->inflight == 0) release(old);
    }
    if (done) done();
  });
}

void Worker::release(HeldConfig* ref) {
  Lifecycle::run(ref->config->lifecycle().worker_stop);
  // The configuration is destroyed on the control loop, like the rest of its life.
  async::post_to_control_loop([instance = std::move(ref->config)]() mutable { instance.reset(); });
  delete ref;
}

void Worker::stop(std::chrono::milliseconds grace) {
  post([this, grace] {
    stopping_ = true;
    for (auto& [key, ep] : udp_) ep.release()->close();
    for (auto& [key, ep] : tcp_) ep.release()->close();
    udp_.clear();
    tcp_.clear();
    // Give queries in flight `grace` to finish, checking every 10 ms, then end the loop.
    auto deadline = std::chrono::steady_clock::now() + grace;
    auto* t = new uv_timer_t;
    uv_timer_init(&loop_, t);
    struct Ctx {
      Worker* w;
      std::chrono::steady_clock::time_point deadline;
    };
    t->data = new Ctx{this, deadline};
    uv_timer_start(
        t,
        [](uv_timer_t* timer) {
          auto* ctx = static_cast<Ctx*>(timer->data);
          Worker* w = ctx->w;
          if (w->inflight_ > 0 && std::chrono::steady_clock::now() < ctx->deadline) return;
          delete ctx;
          async::close_and_delete(timer);
          w->close_everything();
        },
        0, 10);
  });
  if (thread_.joinable()) thread_.join();
}

void Worker::close_everything() {
  if (current_) {
    current_->retired = true;
    if (current_->inflight == 0) release(current_);
    current_ = nullptr;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&wakeup_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&flusher_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&pre_flusher_), nullptr);
  // Whatever is still open (plugins' own handles) is closed so that uv_run returns.
  uv_walk(
      &loop_,
      [](uv_handle_t* h, void*) {
        if (!uv_is_closing(h)) uv_close(h, nullptr);
      },
      nullptr);
}

}  // namespace coredns::server
