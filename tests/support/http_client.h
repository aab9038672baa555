#pragma once
// A blocking HTTP client for tests of the HTTP endpoints: raw requests over loopback TCP.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace coredns::testing {

class HttpConnection {
 public:
  // Connects to 127.0.0.1:port (or `ip`); connected() is false when refused.
  explicit HttpConnection(int port, const char* ip = "127.0.0.1") {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, ip, &sa.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;
  ~HttpConnection() {
    if (fd_ >= 0) ::close(fd_);
  }

  bool connected() const { return fd_ >= 0; }

  void send(const std::string& data) {
    if (fd_ >= 0 && ::write(fd_, data.data(), data.size()) < 0) {
    }
  }

  // Reads until `done(text)` holds, the peer closes, or the timeout passes.
  template <typename Done>
  std::string read_until(Done done, std::chrono::milliseconds timeout = std::chrono::seconds(3)) {
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (fd_ >= 0 && !done(text)) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[4096];
      ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      text.append(buf, static_cast<size_t>(n));
    }
    return text;
  }

  // One request on this connection; returns the whole response (headers and body).
  std::string request(const std::string& method, const std::string& path) {
    send(method + " " + path + " HTTP/1.1\r\nHost: test\r\n\r\n");
    return read_until([&](const std::string& t) { return complete(t, method == "HEAD"); });
  }

  // Whether the peer closed the connection during the last read.
  bool closed() const { return closed_; }

  static std::string body(const std::string& response) {
    auto at = response.find("\r\n\r\n");
    return at == std::string::npos ? "" : response.substr(at + 4);
  }
  static int status(const std::string& response) {
    return response.size() > 12 ? std::stoi(response.substr(9, 3)) : 0;
  }

 private:
  static bool complete(const std::string& t, bool head) {
    auto end = t.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    if (head) return true;
    auto cl = t.find("Content-Length: ");
    if (cl == std::string::npos || cl > end) return false;
    return t.size() >= end + 4 + std::stoul(t.substr(cl + 16));
  }

  int fd_ = -1;
  bool closed_ = false;
};

// One request on a new connection.
inline std::string http_get(int port, const std::string& path, const char* ip = "127.0.0.1") {
  HttpConnection c(port, ip);
  return c.connected() ? c.request("GET", path) : "";
}

}  // namespace coredns::testing
