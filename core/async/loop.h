#pragma once
// The libuv loop of the current thread (each worker runs one), and awaitables on it.
#include <uv.h>

#include <chrono>
#include <coroutine>
#include <cstdint>
#include <functional>

namespace coredns::async {

// The loop the calling thread runs, set by whoever runs it (a worker, the main thread).
uv_loop_t* current_loop();
void set_current_loop(uv_loop_t* loop);

// The control loop: the main thread's loop, where lifecycle callbacks, reloads and process-level
// timers run. open_control_loop() is called once by the process before workers start;
// post_to_control_loop() runs `fn` there from any thread, or right away on the calling thread
// when the control loop is not (or no longer) running.
void open_control_loop();
void close_control_loop();
void post_to_control_loop(std::function<void()> fn);

// Suspends the coroutine for `d` on the current loop.
class Sleep {
 public:
  explicit Sleep(std::chrono::nanoseconds d) : delay_(d) {}
  bool await_ready() const noexcept { return delay_.count() <= 0; }
  void await_suspend(std::coroutine_handle<> h);
  void await_resume() const noexcept {}

 private:
  std::chrono::nanoseconds delay_;
};

inline Sleep sleep_for(std::chrono::nanoseconds d) { return Sleep(d); }

// Runs `fn` once on `loop` after `d` (a repeating timer when `repeat`); returns a handle to stop
// it with cancel_timer. The handle is owned by the loop and freed after cancel_timer.
uv_timer_t* start_timer(uv_loop_t* loop, std::chrono::nanoseconds d, bool repeat,
                        std::function<void()> fn);
void cancel_timer(uv_timer_t* timer);

// Closes any libuv handle and frees it with `delete` once libuv is done with it.
template <typename H>
void close_and_delete(H* handle) {
  uv_close(reinterpret_cast<uv_handle_t*>(handle),
           [](uv_handle_t* h) { delete reinterpret_cast<H*>(h); });
}

}  // namespace coredns::async
