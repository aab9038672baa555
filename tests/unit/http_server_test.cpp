// The process' HTTP server on real loopback sockets: binding (and Go's bind errors), serving,
// swapping routes under a kept-alive connection, closing, stopping.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "core/http/server.h"
#include "core/util/error.h"
#include "tests/support/http_client.h"

using namespace coredns;
using coredns::testing::HttpConnection;
using coredns::testing::http_get;

namespace {

std::shared_ptr<const http::Routes> text_at(const std::string& path, const std::string& text) {
  auto r = std::make_shared<http::Routes>();
  (*r)[path] = [text](const http::Request&) { return http::Reply{200, "text/plain", text}; };
  return r;
}

std::string bind_error(http::Server& s, const std::string& address) {
  try {
    s.listen(address, text_at("/", ""));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "<bound>";
}

// A plain listening socket (no SO_REUSEPORT) holding a port, as another program would.
struct PortHog {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int port = 0;
  PortHog() {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    socklen_t len = sizeof sa;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&sa), len) == 0);
    REQUIRE(::listen(fd, 1) == 0);
    getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
    port = ntohs(sa.sin_port);
  }
  ~PortHog() { ::close(fd); }
};

}  // namespace

TEST_CASE("An address is bound and serves its routes; other paths are 404") {
  http::Server s;
  s.listen("127.0.0.1:0", text_at("/health", "OK"));
  const int port = s.port("127.0.0.1:0");
  REQUIRE(port > 0);
  CHECK(s.bound("127.0.0.1:0"));
  auto ok = http_get(port, "/health");
  CHECK(HttpConnection::status(ok) == 200);
  CHECK(HttpConnection::body(ok) == "OK");
  CHECK(HttpConnection::status(http_get(port, "/metrics")) == 404);
}

TEST_CASE("Host names are resolved as Go's listener does: localhost is 127.0.0.1") {
  http::Server s;
  s.listen("localhost:0", text_at("/ready", "OK"));
  CHECK(HttpConnection::body(http_get(s.port("localhost:0"), "/ready")) == "OK");
}

TEST_CASE("Bind errors carry Go's net text") {
  http::Server s;
  PortHog hog;
  CHECK(bind_error(s, fmt::format("127.0.0.1:{}", hog.port)) ==
        fmt::format("listen tcp 127.0.0.1:{}: bind: address already in use", hog.port));
  CHECK(bind_error(s, fmt::format(":{}", hog.port)) ==
        fmt::format("listen tcp :{}: bind: address already in use", hog.port));
  CHECK(bind_error(s, fmt::format("localhost:{}", hog.port)) ==
        fmt::format("listen tcp 127.0.0.1:{}: bind: address already in use", hog.port));
  CHECK(bind_error(s, ":99999") == "listen tcp: address 99999: invalid port");
  // (An unknown host name is not tried: its lookup would send DNS queries off this machine.)
  CHECK(bind_error(s, ":nosuchservice") == "listen tcp: lookup tcp/nosuchservice: unknown port");
  CHECK(s.addresses().empty());
}

TEST_CASE("New routes apply to the next request of a kept-alive connection") {
  http::Server s;
  s.listen("127.0.0.1:0", text_at("/x", "old"));
  HttpConnection c(s.port("127.0.0.1:0"));
  REQUIRE(c.connected());
  CHECK(HttpConnection::body(c.request("GET", "/x")) == "old");
  s.set_routes("127.0.0.1:0", text_at("/x", "new"));
  CHECK(HttpConnection::body(c.request("GET", "/x")) == "new");
  CHECK_FALSE(c.closed());
}

TEST_CASE("Closing an address refuses new connections and ends the open ones") {
  http::Server s;
  s.listen("127.0.0.1:0", text_at("/x", "a"));
  s.listen("127.0.0.2:0", text_at("/x", "b"));
  const int port = s.port("127.0.0.1:0");
  HttpConnection open(port);
  REQUIRE(open.connected());
  s.close("127.0.0.1:0");
  CHECK_FALSE(s.bound("127.0.0.1:0"));
  CHECK_FALSE(HttpConnection(port).connected());
  open.read_until([](const std::string&) { return false; }, std::chrono::milliseconds(500));
  CHECK(open.closed());
  CHECK(HttpConnection::body(http_get(s.port("127.0.0.2:0"), "/x", "127.0.0.2")) == "b");
  s.close("127.0.0.1:0");  // not bound: nothing happens
}

TEST_CASE("stop closes everything; the server can listen again afterwards") {
  http::Server s;
  s.listen("127.0.0.1:0", text_at("/x", "a"));
  const int port = s.port("127.0.0.1:0");
  s.stop();
  CHECK_FALSE(HttpConnection(port).connected());
  CHECK(s.addresses().empty());
  s.stop();
  s.listen("127.0.0.1:0", text_at("/x", "again"));
  CHECK(HttpConnection::body(http_get(s.port("127.0.0.1:0"), "/x")) == "again");
}

TEST_CASE("A connection that sends nothing is closed after the 5s idle timeout", "[.slow]") {
  http::Server s;
  s.listen("127.0.0.1:0", text_at("/x", "a"));
  HttpConnection c(s.port("127.0.0.1:0"));
  c.read_until([](const std::string&) { return false; }, std::chrono::seconds(7));
  CHECK(c.closed());
}
