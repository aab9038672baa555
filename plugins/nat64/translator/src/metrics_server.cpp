#include "nat64/metrics_server.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nat64/ip.h"

namespace nat64 {

bool MetricsServer::start(const std::string& addr, Render render, std::string& err) {
  std::string host, port;
  if (addr.starts_with("[")) {
    auto close = addr.find("]:");
    if (close == std::string::npos) return err = "metrics address must be [v6]:port", false;
    host = addr.substr(1, close - 1);
    port = addr.substr(close + 2);
  } else {
    auto colon = addr.rfind(':');
    if (colon == std::string::npos) return err = "metrics address must be host:port", false;
    host = addr.substr(0, colon);
    port = addr.substr(colon + 1);
  }
  if (host == "localhost") host = "127.0.0.1";
  int p = std::atoi(port.c_str());
  if (p <= 0 || p > 65535) return err = "invalid metrics port '" + port + "'", false;
  sockaddr_storage ss{};
  socklen_t sl;
  int family;
  if (host.empty() || host == "::" || parse_v6(host)) {
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(static_cast<uint16_t>(p));
    if (!host.empty()) inet_pton(AF_INET6, host.c_str(), &s6->sin6_addr);
    sl = sizeof *s6;
    family = AF_INET6;
  } else if (auto a = parse_v4(host)) {
    auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
    s4->sin_family = AF_INET;
    s4->sin_port = htons(static_cast<uint16_t>(p));
    s4->sin_addr.s_addr = htonl(*a);
    sl = sizeof *s4;
    family = AF_INET;
  } else {
    return err = "metrics address '" + host + "' is not a numeric address", false;
  }
  fd_ = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&ss), sl) < 0 || ::listen(fd_, 16) < 0) {
    err = fmt::format("metrics listener {}: {}", addr, std::strerror(errno));
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    return false;
  }
  sockaddr_storage bound{};
  socklen_t bl = sizeof bound;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&bound), &bl);
  port_ = ntohs(family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                   : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  render_ = std::move(render);
  thread_ = std::thread([this] { serve(); });
  return true;
}

void MetricsServer::stop() {
  if (fd_ < 0) return;
  stopping_ = true;
  ::shutdown(fd_, SHUT_RDWR);
  if (thread_.joinable()) thread_.join();
  ::close(fd_);
  fd_ = -1;
}

void MetricsServer::serve() {
  while (!stopping_) {
    int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (stopping_) return;
      continue;
    }
    timeval tv{2, 0};
    ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    char req[4096];
    size_t got = 0;
    while (got < sizeof req) {
      ssize_t n = ::recv(c, req + got, sizeof req - got, 0);
      if (n <= 0) break;
      got += static_cast<size_t>(n);
      if (std::string_view(req, got).find("\r\n\r\n") != std::string_view::npos) break;
    }
    std::string_view r(req, got);
    std::string resp;
    if (r.starts_with("GET /metrics ") || r.starts_with("GET /metrics?") || r.starts_with("GET / ")) {
      std::string body = render_();
      resp = fmt::format(
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: {}\r\n"
          "Connection: close\r\n\r\n{}",
          body.size(), body);
    } else {
      resp = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    }
    size_t off = 0;
    while (off < resp.size()) {
      ssize_t n = ::send(c, resp.data() + off, resp.size() - off, MSG_NOSIGNAL);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    ::close(c);
  }
}

}  // namespace nat64
