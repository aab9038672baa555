#include "core/async/loop.h"

#include <mutex>
#include <vector>

namespace coredns::async {
namespace {

thread_local uv_loop_t* tls_loop = nullptr;

uint64_t to_ms(std::chrono::nanoseconds d) {
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(d).count();
  return ms < 0 ? 0 : static_cast<uint64_t>(ms);
}

struct TimerState {
  uv_timer_t handle;
  std::function<void()> fn;
};

struct ControlQueue {
  std::mutex mu;
  uv_async_t* async = nullptr;
  std::vector<std::function<void()>> items;
};

ControlQueue& control_queue() {
  static ControlQueue q;
  return q;
}

void drain_control_queue(uv_async_t*) {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> lock(control_queue().mu);
    batch.swap(control_queue().items);
  }
  for (auto& fn : batch) fn();
}

}  // namespace

void open_control_loop() {
  auto& q = control_queue();
  std::lock_guard<std::mutex> lock(q.mu);
  if (q.async) return;
  q.async = new uv_async_t;
  uv_async_init(uv_default_loop(), q.async, drain_control_queue);
}

void close_control_loop() {
  auto& q = control_queue();
  uv_async_t* a = nullptr;
  {
    std::lock_guard<std::mutex> lock(q.mu);
    a = q.async;
    q.async = nullptr;
  }
  if (a) close_and_delete(a);
  drain_control_queue(nullptr);
}

void post_to_control_loop(std::function<void()> fn) {
  auto& q = control_queue();
  {
    std::lock_guard<std::mutex> lock(q.mu);
    if (q.async) {
      q.items.push_back(std::move(fn));
      uv_async_send(q.async);
      return;
    }
  }
  fn();
}

uv_loop_t* current_loop() { return tls_loop ? tls_loop : uv_default_loop(); }
void set_current_loop(uv_loop_t* loop) { tls_loop = loop; }

void Sleep::await_suspend(std::coroutine_handle<> h) {
  auto* t = new uv_timer_t;
  uv_timer_init(current_loop(), t);
  t->data = h.address();
  uv_timer_start(
      t,
      [](uv_timer_t* timer) {
        auto h = std::coroutine_handle<>::from_address(timer->data);
        close_and_delete(timer);
        h.resume();
      },
      to_ms(delay_), 0);
}

uv_timer_t* start_timer(uv_loop_t* loop, std::chrono::nanoseconds d, bool repeat,
                        std::function<void()> fn) {
  auto* s = new TimerState{{}, std::move(fn)};
  uv_timer_init(loop, &s->handle);
  s->handle.data = s;
  uint64_t ms = to_ms(d);
  uv_timer_start(
      &s->handle,
      [](uv_timer_t* t) {
        auto* st = static_cast<TimerState*>(t->data);
        st->fn();
      },
      ms, repeat ? (ms ? ms : 1) : 0);
  return &s->handle;
}

void cancel_timer(uv_timer_t* timer) {
  uv_timer_stop(timer);
  uv_close(reinterpret_cast<uv_handle_t*>(timer), [](uv_handle_t* h) {
    delete static_cast<TimerState*>(h->data);
  });
}

}  // namespace coredns::async
