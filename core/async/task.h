#pragma once
// Task<T>: a lazily started coroutine that one awaiter awaits once. Completion resumes the
// awaiter by symmetric transfer, so a chain of handlers that all finish synchronously runs as
// plain nested calls without growing the stack. Exceptions propagate to the awaiter.
//
// A Task<T> may also be made ready (Task<T>::ready(value)) by a plain function that has its
// answer at once, a cache hit for instance: awaiting it does not suspend, and no coroutine frame
// is allocated, started or destroyed for it. docs/architecture.md, "Answering without a
// coroutine", says when a handler should.
#include <coroutine>
#include <exception>
#include <optional>
#include <utility>

#include "core/async/frame_pool.h"

namespace coredns::async {

template <typename T>
class Task;

namespace detail {

struct PromiseBase {
  std::coroutine_handle<> continuation;
  std::exception_ptr error;

  static void* operator new(std::size_t size) { return allocate_frame(size); }
  static void operator delete(void* p, std::size_t size) noexcept { free_frame(p, size); }

  std::suspend_always initial_suspend() noexcept { return {}; }
  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <typename P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      auto next = h.promise().continuation;
      return next ? next : std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { error = std::current_exception(); }
};

}  // namespace detail

template <typename T>
class [[nodiscard]] Task {
 public:
  struct promise_type : detail::PromiseBase {
    std::optional<T> value;
    Task get_return_object() {
      return Task(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    template <typename U>
    void return_value(U&& v) {
      value.emplace(std::forward<U>(v));
    }
  };

  Task() = default;
  Task(Task&& o) noexcept : handle_(std::exchange(o.handle_, {})), ready_(std::move(o.ready_)) {}
  Task& operator=(Task&& o) noexcept {
    if (this != &o) {
      if (handle_) handle_.destroy();
      handle_ = std::exchange(o.handle_, {});
      ready_ = std::move(o.ready_);
    }
    return *this;
  }
  ~Task() {
    if (handle_) handle_.destroy();
  }

  // A finished Task holding `value`.
  static Task ready(T value) {
    Task t;
    t.ready_.emplace(std::move(value));
    return t;
  }

  bool await_ready() const noexcept { return ready_.has_value(); }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiter) noexcept {
    handle_.promise().continuation = awaiter;
    return handle_;
  }
  T await_resume() {
    if (ready_) return std::move(*ready_);
    auto& p = handle_.promise();
    if (p.error) std::rethrow_exception(p.error);
    return std::move(*p.value);
  }

 private:
  explicit Task(std::coroutine_handle<promise_type> h) : handle_(h) {}
  std::coroutine_handle<promise_type> handle_;
  std::optional<T> ready_;
};

template <>
class [[nodiscard]] Task<void> {
 public:
  struct promise_type : detail::PromiseBase {
    Task get_return_object() {
      return Task(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    void return_void() {}
  };

  Task() = default;
  Task(Task&& o) noexcept : handle_(std::exchange(o.handle_, {})) {}
  Task& operator=(Task&& o) noexcept {
    if (this != &o) {
      if (handle_) handle_.destroy();
      handle_ = std::exchange(o.handle_, {});
    }
    return *this;
  }
  ~Task() {
    if (handle_) handle_.destroy();
  }

  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiter) noexcept {
    handle_.promise().continuation = awaiter;
    return handle_;
  }
  void await_resume() {
    if (handle_.promise().error) std::rethrow_exception(handle_.promise().error);
  }

 private:
  explicit Task(std::coroutine_handle<promise_type> h) : handle_(h) {}
  std::coroutine_handle<promise_type> handle_;
};

namespace detail {

// A fire-and-forget coroutine that starts at once and frees itself when done.
struct Detached {
  struct promise_type {
    static void* operator new(std::size_t size) { return allocate_frame(size); }
    static void operator delete(void* p, std::size_t size) noexcept { free_frame(p, size); }
    Detached get_return_object() noexcept { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { std::terminate(); }
  };
};

template <typename T, typename Done>
Detached run_detached(Task<T> task, Done done) {
  std::exception_ptr error;
  std::optional<T> result;
  try {
    result.emplace(co_await task);
  } catch (...) {
    error = std::current_exception();
  }
  done(std::move(result), error);
}

template <typename Done>
Detached run_detached_void(Task<void> task, Done done) {
  std::exception_ptr error;
  try {
    co_await task;
  } catch (...) {
    error = std::current_exception();
  }
  done(error);
}

}  // namespace detail

// Starts `task` now; `done(std::optional<T> result, std::exception_ptr error)` runs when it
// finishes, possibly before spawn returns.
template <typename T, typename Done>
void spawn(Task<T> task, Done done) {
  detail::run_detached(std::move(task), std::move(done));
}

// Starts a Task<void>; `done(std::exception_ptr)` runs when it finishes.
template <typename Done>
void spawn_void(Task<void> task, Done done) {
  detail::run_detached_void(std::move(task), std::move(done));
}

}  // namespace coredns::async
