#include "core/http/server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <unistd.h>

#include <algorithm>
#include <fmt/format.h>

#include "core/async/loop.h"
#include "core/http/session.h"
#include "core/server/sockets.h"
#include "core/util/error.h"
#include "core/util/go_host_port.h"

namespace coredns::http {
namespace {

// Go's http.Server with CoreDNS's settings: read, write and idle timeouts of 5 s. One deadline
// covers them all: it is set at accept and again after every response.
constexpr uint64_t kTimeoutMs = 5000;
// Endpoints for probes and scrapes: a bound keeps a flood from eating the process' descriptors.
constexpr size_t kMaxConnections = 512;

bool all_digits(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_ip_literal(const std::string& host) {
  in6_addr a6;
  in_addr a4;
  const std::string bare = host.substr(0, host.find('%'));
  return inet_pton(AF_INET, host.c_str(), &a4) == 1 || inet_pton(AF_INET6, bare.c_str(), &a6) == 1;
}

// Go's net.Listen("tcp", address) up to the socket: the port may be a number or a service name,
// a host name is resolved and its first IPv4 address preferred, as Go does for listeners.
ListenAddress resolve(const std::string& address) {
  std::string error;
  auto hp = go_split_host_port(address, error);
  if (!hp) throw ConfigError("listen tcp: " + error);
  ListenAddress out;
  out.transport = "tcp";
  if (hp->port.empty()) {
    out.port = "0";
  } else if (all_digits(hp->port)) {
    if (hp->port.size() > 5 || std::stol(hp->port) > 65535)
      throw ConfigError(fmt::format("listen tcp: address {}: invalid port", hp->port));
    out.port = std::to_string(std::stol(hp->port));
  } else {
    servent result{}, *found = nullptr;
    char buf[1024];
    if (getservbyname_r(hp->port.c_str(), "tcp", &result, buf, sizeof buf, &found) != 0 || !found)
      throw ConfigError(fmt::format("listen tcp: lookup tcp/{}: unknown port", hp->port));
    out.port = std::to_string(ntohs(static_cast<uint16_t>(found->s_port)));
  }
  if (hp->host.empty() || is_ip_literal(hp->host)) {
    out.host = hp->host;
    return out;
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  if (getaddrinfo(hp->host.c_str(), nullptr, &hints, &list) != 0 || !list)
    throw ConfigError(fmt::format("listen tcp: lookup {}: no such host", hp->host));
  const addrinfo* pick = list;
  for (const addrinfo* a = list; a; a = a->ai_next)
    if (a->ai_family == AF_INET) {
      pick = a;
      break;
    }
  char text[INET6_ADDRSTRLEN] = "";
  const void* raw = pick->ai_family == AF_INET
                        ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(pick->ai_addr)->sin_addr)
                        : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(pick->ai_addr)->sin6_addr);
  inet_ntop(pick->ai_family, raw, text, sizeof text);
  freeaddrinfo(list);
  out.host = text;
  return out;
}

}  // namespace

struct Server::Listener {
  uv_tcp_t tcp;
  Server* server = nullptr;
  std::string address;
  std::shared_ptr<const Routes> routes;
  std::vector<Connection*> connections;
  int port = 0;
};

struct Server::Connection {
  uv_tcp_t tcp;
  uv_timer_t deadline;
  Listener* listener = nullptr;
  Session session;
  int open_handles = 2;
  int pending_writes = 0;
  bool closing = false;
  bool close_after_write = false;

  void close() {
    if (closing) return;
    closing = true;
    if (listener) {
      auto& list = listener->connections;
      list.erase(std::remove(list.begin(), list.end(), this), list.end());
      listener = nullptr;
    }
    auto done = [](uv_handle_t* h) {
      auto* c = static_cast<Connection*>(h->data);
      if (--c->open_handles == 0) delete c;
    };
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp), done);
    uv_close(reinterpret_cast<uv_handle_t*>(&deadline), done);
  }

  void arm_deadline() {
    uv_timer_start(&deadline, [](uv_timer_t* t) { static_cast<Connection*>(t->data)->close(); },
                   kTimeoutMs, 0);
  }

  void send(std::string data) {
    struct Write {
      uv_write_t req;
      std::string data;
    };
    auto* w = new Write{{}, std::move(data)};
    w->req.data = this;
    uv_buf_t buf = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
    ++pending_writes;
    int rc = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&tcp), &buf, 1,
                      [](uv_write_t* req, int status) {
                        auto* c = static_cast<Connection*>(req->data);
                        delete reinterpret_cast<Write*>(req);
                        --c->pending_writes;
                        if (c->closing) return;
                        if (status < 0 || (c->close_after_write && c->pending_writes == 0))
                          c->close();
                      });
    if (rc < 0) {
      --pending_writes;
      delete w;
      close();
    }
  }

  // The end of input: answer what is queued, then hang up.
  void finish() {
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp));
    close_after_write = true;
    if (pending_writes == 0) close();
  }

  void on_read(ssize_t nread, const uv_buf_t* buf) {
    if (nread < 0) return finish();
    if (nread == 0 || !listener) return;
    std::string out;
    // Keep the routes alive for this read even if a reload replaces them meanwhile.
    std::shared_ptr<const Routes> routes = listener->routes;
    const bool keep_open =
        session.feed(std::string_view(buf->base, static_cast<size_t>(nread)), *routes, out);
    if (!out.empty()) {
      send(std::move(out));
      if (closing) return;
      arm_deadline();
    }
    if (!keep_open) finish();
  }
};

Server::~Server() { stop(); }

void Server::start_thread() {
  loop_ = std::make_unique<uv_loop_t>();
  uv_loop_init(loop_.get());
  wakeup_ = new uv_async_t;
  wakeup_->data = this;
  uv_async_init(loop_.get(), wakeup_, [](uv_async_t* a) { static_cast<Server*>(a->data)->drain(); });
  running_ = true;
  thread_ = std::thread([this] { uv_run(loop_.get(), UV_RUN_DEFAULT); });
  thread_id_ = thread_.get_id();
}

void Server::drain() {
  std::vector<Task*> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    batch.swap(tasks_);
  }
  for (Task* t : batch) {
    try {
      t->fn();
    } catch (...) {
      t->error = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(mu_);
    t->done = true;
  }
  cv_.notify_all();
}

void Server::call(const std::function<void()>& fn) {
  Task task{fn, false, nullptr};
  bool on_loop = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!running_) return;
    on_loop = std::this_thread::get_id() == thread_id_;
    if (!on_loop) tasks_.push_back(&task);
  }
  if (on_loop) return fn();
  uv_async_send(wakeup_);
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return task.done; });
  if (task.error) std::rethrow_exception(task.error);
}

void Server::listen(const std::string& address, std::shared_ptr<const Routes> routes) {
  // Resolving and binding happen here, on the caller's thread: the error is the caller's.
  const ListenAddress where = resolve(address);
  const int fd = server::open_tcp_listener(where);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!running_) start_thread();
  }
  call([&] {
    auto* l = new Listener;
    l->server = this;
    l->address = address;
    l->routes = std::move(routes);
    l->port = server::bound_port(fd);
    l->tcp.data = l;
    uv_tcp_init(loop_.get(), &l->tcp);
    int rc = uv_tcp_open(&l->tcp, fd);
    if (rc == 0)
      rc = uv_listen(reinterpret_cast<uv_stream_t*>(&l->tcp), 1024, &Server::on_connection);
    if (rc != 0) {  // not expected with a socket open_tcp_listener made
      uv_close(reinterpret_cast<uv_handle_t*>(&l->tcp),
               [](uv_handle_t* h) { delete static_cast<Listener*>(h->data); });
      throw ConfigError(fmt::format("listen tcp {}: {}", where.host_port(), uv_strerror(rc)));
    }
    listeners_[address] = l;
  });
}

void Server::on_connection(uv_stream_t* stream, int status) {
  auto* l = static_cast<Listener*>(stream->data);
  if (status < 0) return;
  auto* c = new Connection;
  c->tcp.data = c;
  c->deadline.data = c;
  uv_tcp_init(stream->loop, &c->tcp);
  uv_timer_init(stream->loop, &c->deadline);
  size_t total = 0;
  for (const auto& [address, other] : l->server->listeners_) total += other->connections.size();
  if (uv_accept(stream, reinterpret_cast<uv_stream_t*>(&c->tcp)) != 0 || total >= kMaxConnections) {
    c->close();
    return;
  }
  c->listener = l;
  l->connections.push_back(c);
  c->arm_deadline();
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&c->tcp),
      [](uv_handle_t*, size_t, uv_buf_t* buf) {
        // A read is consumed before the next one: one buffer per HTTP thread serves all.
        thread_local char storage[16 * 1024];
        *buf = uv_buf_init(storage, sizeof storage);
      },
      [](uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
        static_cast<Connection*>(s->data)->on_read(nread, buf);
      });
}

void Server::close_listener(Listener* l) {
  auto connections = l->connections;
  for (Connection* c : connections) c->close();
  listeners_.erase(l->address);
  uv_close(reinterpret_cast<uv_handle_t*>(&l->tcp),
           [](uv_handle_t* h) { delete static_cast<Listener*>(h->data); });
}

void Server::set_routes(const std::string& address, std::shared_ptr<const Routes> routes) {
  call([&] {
    auto it = listeners_.find(address);
    if (it != listeners_.end()) it->second->routes = std::move(routes);
  });
}

void Server::close(const std::string& address) {
  call([&] {
    auto it = listeners_.find(address);
    if (it != listeners_.end()) close_listener(it->second);
  });
}

bool Server::bound(const std::string& address) {
  bool found = false;
  call([&] { found = listeners_.count(address) > 0; });
  return found;
}

std::vector<std::string> Server::addresses() {
  std::vector<std::string> out;
  call([&] {
    for (const auto& [address, l] : listeners_) out.push_back(address);
  });
  return out;
}

int Server::port(const std::string& address) {
  int port = 0;
  call([&] {
    auto it = listeners_.find(address);
    if (it != listeners_.end()) port = it->second->port;
  });
  return port;
}

void Server::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!running_) return;
  }
  call([&] {
    while (!listeners_.empty()) close_listener(listeners_.begin()->second);
    async::close_and_delete(wakeup_);
  });
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_ = false;
    wakeup_ = nullptr;
  }
  thread_.join();
  uv_loop_close(loop_.get());
  loop_.reset();
  thread_id_ = {};
}

}  // namespace coredns::http
