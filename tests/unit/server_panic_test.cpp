// An exception escaping a handler (CoreDNS's core/dnsserver/server.go, ServeDNS's recover):
// recovered per query with SERVFAIL and a log line, unless a block of the server has `debug`, when
// the process dies as CoreDNS's does.
#include <arpa/inet.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <optional>
#include <stdexcept>

#include "core/server/server.h"
#include "dns_test_support.h"

using namespace coredns;
using server::Block;
using server::Server;

namespace {

class Thrower : public Handler {
 public:
  std::string_view name() const override { return "thrower"; }
  Task<Response> serve(Request&, Next) override {
    throw std::runtime_error("boom");
    co_return Response::unwritten(dns::rcode::SERVFAIL);
  }
};

// A plain function, not a coroutine: its exception leaves the call itself, before any Task
// exists (the way a handler that can answer at once with Task::ready is written).
class PlainThrower : public Handler {
 public:
  std::string_view name() const override { return "thrower"; }
  Task<Response> serve(Request&, Next) override { throw std::runtime_error("boom"); }
};

Endpoint loopback(uint16_t port) {
  sockaddr_in s4{};
  s4.sin_family = AF_INET;
  s4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  s4.sin_port = htons(port);
  return Endpoint::from(reinterpret_cast<sockaddr*>(&s4));
}

struct Rig {
  explicit Rig(bool debug, std::shared_ptr<Handler> handler = std::make_shared<Thrower>()) {
    block.handlers = {std::move(handler)};
    block.chain = {block.handlers.front().get()};
    block.options.debug = debug;
    server.add_zone(".", &block);
  }
  std::optional<Response> ask() {
    auto q = testing::make_query("example.org.", dns::type::A);
    Request req(q, Transport::udp, loopback(40000), loopback(53), &server);
    std::optional<Response> out;
    async::spawn(server.serve(req), [&](std::optional<Response> r, std::exception_ptr) {
      out = std::move(r);
    });
    return out;
  }
  Block block;
  Server server{ListenAddress{"dns", "", "53"}};
};

}  // namespace

TEST_CASE("an exception in a handler is answered with SERVFAIL") {
  Rig rig(false);
  auto r = rig.ask();
  REQUIRE(r);
  REQUIRE(r->written());
  CHECK(testing::parse(r->wire).header().rcode() == dns::rcode::SERVFAIL);
}

TEST_CASE("an exception thrown by a handler's plain call is answered with SERVFAIL too") {
  Rig rig(false, std::make_shared<PlainThrower>());
  auto r = rig.ask();
  REQUIRE(r);
  REQUIRE(r->written());
  CHECK(testing::parse(r->wire).header().rcode() == dns::rcode::SERVFAIL);
}

TEST_CASE("with debug an exception in a handler ends the process") {
  Rig rig(true);
  int err[2];
  REQUIRE(pipe(err) == 0);
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    dup2(err[1], STDERR_FILENO);
    rig.ask();
    _exit(0);  // not reached when the process dies as it should
  }
  close(err[1]);
  std::string text;
  char buf[512];
  for (ssize_t n; (n = read(err[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<size_t>(n));
  close(err[0]);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGABRT);
  CHECK(text.find("boom") != std::string::npos);
}
