// The forward handler with its real transport (c-ares on the test's loop) against fake upstreams:
// UDP sockets of the test on 127.0.0.1 that answer from a script. What a client would see: the
// reply, its ID and rcode, which upstreams were asked, and the failover between them.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <catch2/catch.hpp>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "core/corefile/parser.h"
#include "core/dns/builder.h"
#include "core/dns/types.h"
#include "plugins/forward/forward.h"
#include "tests/support/handler_test.h"

using namespace coredns;
using namespace coredns::plugins::forward;

namespace {

constexpr uint16_t NOERROR = dns::rcode::NOERROR;
constexpr uint16_t SERVFAIL = dns::rcode::SERVFAIL;
constexpr uint16_t NXDOMAIN = dns::rcode::NXDOMAIN;

// A bound UDP socket on 127.0.0.1 with a port of the kernel's choosing.
int bound_udp_socket(uint16_t& port) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  port = ntohs(a.sin_port);
  return fd;
}

// An upstream that answers every query it reads with the next rcode of its script (the last one
// once the script is used up): NOERROR with one A record 192.0.2.1, anything else empty.
class FakeUpstream {
 public:
  explicit FakeUpstream(std::vector<uint16_t> rcodes) : rcodes_(std::move(rcodes)) {
    fd_ = bound_udp_socket(port_);
    uv_poll_init_socket(uv_default_loop(), &poll_, fd_);
    poll_.data = this;
    uv_poll_start(&poll_, UV_READABLE, [](uv_poll_t* h, int, int) {
      static_cast<FakeUpstream*>(h->data)->answer();
    });
  }
  ~FakeUpstream() {
    uv_close(reinterpret_cast<uv_handle_t*>(&poll_), nullptr);
    uv_run(uv_default_loop(), UV_RUN_NOWAIT);
    ::close(fd_);
  }
  FakeUpstream(const FakeUpstream&) = delete;
  FakeUpstream& operator=(const FakeUpstream&) = delete;

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // The questions it was asked, as "name TYPE".
  const std::vector<std::string>& asked() const { return asked_; }

 private:
  void answer() {
    uint8_t buf[4096];
    sockaddr_storage from{};
    socklen_t from_len = sizeof from;
    const ssize_t n =
        ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n <= 0) return;
    dns::MessageView q;
    if (q.parse({buf, static_cast<size_t>(n)}) != dns::MessageView::Error::none) return;
    asked_.push_back(q.question_name().to_text() + " " + dns::type_name(q.question().qtype));
    const uint16_t rcode = rcodes_[std::min(asked_.size(), rcodes_.size()) - 1];
    dns::Header h;
    h.id = q.header().id;
    h.flags = q.header().flags & dns::Header::RD;
    h.set(dns::Header::QR);
    h.set(dns::Header::RA);
    h.set_rcode(rcode);
    std::vector<uint8_t> out;
    dns::MessageBuilder b(out, h);
    b.add_question_from(q);
    const uint8_t a[4] = {192, 0, 2, 1};
    if (rcode == NOERROR)
      b.add_record(dns::Section::answer, q.question_name(), dns::type::A, dns::cls::IN, 60, a);
    b.finish();
    ::sendto(fd_, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&from), from_len);
  }

  std::vector<uint16_t> rcodes_;
  std::vector<std::string> asked_;
  int fd_ = -1;
  uint16_t port_ = 0;
  uv_poll_t poll_{};
};

// An address nothing listens on: a query sent there is refused at once (ICMP port unreachable).
std::string refusing_address() {
  uint16_t port = 0;
  ::close(bound_udp_socket(port));
  return "127.0.0.1:" + std::to_string(port);
}

ForwardConfig parse(const std::string& directive) {
  corefile::ParseOptions po;
  auto blocks = corefile::parse(". {\n" + directive + "\n}\n", po);
  corefile::Dispenser d(*blocks.at(0).find("forward"), "Corefile");
  d.next();
  ParseNotes notes;
  return parse_forward(d, notes);
}

// One forward handler and the loop it runs on; its transport is closed with it.
struct Rig {
  explicit Rig(const std::string& directive)
      : handler(std::make_unique<Forward>(parse(directive), false)) {}
  ~Rig() {
    handler.reset();
    uv_run(uv_default_loop(), UV_RUN_NOWAIT);
  }

  // Sends the client's query for `name` A through the handler; the loop runs until it answered.
  Response ask(const char* name) {
    auto q = testing::plain_query(name);
    Request req(q, Transport::udp, testing::endpoint("127.0.0.1", 5000),
                testing::endpoint("127.0.0.1", 53), nullptr);
    std::optional<Response> out;
    std::exception_ptr error;
    async::spawn(handler->serve(req, Next({}, "forward")),
                 [&](std::optional<Response> r, std::exception_ptr e) {
                   out = std::move(r);
                   error = e;
                 });
    while (!out && !error) uv_run(uv_default_loop(), UV_RUN_ONCE);
    if (error) std::rethrow_exception(error);
    return std::move(*out);
  }

  std::unique_ptr<Forward> handler;
};

struct Answer {
  uint16_t id = 0;
  uint16_t rcode = 0;
  uint16_t answers = 0;
};

Answer read(const Response& r) {
  REQUIRE(r.written());
  dns::MessageView v;
  REQUIRE(v.parse(r.wire) == dns::MessageView::Error::none);
  return {v.header().id, v.header().rcode(), v.header().ancount};
}

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("forward: the upstream's reply reaches the client with the client's ID") {
  FakeUpstream up({NOERROR});
  Rig rig("forward . " + up.address());
  const Response r = rig.ask("example.org.");
  const Answer a = read(r);
  CHECK(a.id == 4242);  // plain_query's ID; c-ares sent the upstream one of its own
  CHECK(a.rcode == NOERROR);
  CHECK(a.answers == 1);
  CHECK(r.rcode == NOERROR);
  CHECK(up.asked() == Lines{"example.org. A"});
}

TEST_CASE("forward: an upstream's NXDOMAIN is the answer, not a failure") {
  FakeUpstream first({NXDOMAIN});
  FakeUpstream second({NOERROR});
  Rig rig("forward . " + first.address() + " " + second.address() + " {\n policy sequential\n}");
  CHECK(read(rig.ask("nowhere.example.")).rcode == NXDOMAIN);
  CHECK(first.asked() == Lines{"nowhere.example. A"});
  CHECK(second.asked().empty());
}

TEST_CASE("forward: a refused upstream is skipped for the next one") {
  FakeUpstream second({NOERROR});
  Rig rig("forward . " + refusing_address() + " " + second.address() +
          " {\n policy sequential\n max_fails 0\n}");
  const Answer a = read(rig.ask("example.org."));
  CHECK(a.rcode == NOERROR);
  CHECK(a.answers == 1);
  CHECK(second.asked() == Lines{"example.org. A"});
}

TEST_CASE("forward: failover RCODE tries the next upstream on that rcode") {
  FakeUpstream first({SERVFAIL});
  FakeUpstream second({NOERROR});
  Rig rig("forward . " + first.address() + " " + second.address() +
          " {\n policy sequential\n failover SERVFAIL\n}");
  const Answer a = read(rig.ask("example.org."));
  CHECK(a.rcode == NOERROR);
  CHECK(first.asked() == Lines{"example.org. A"});
  CHECK(second.asked() == Lines{"example.org. A"});
}

TEST_CASE("forward: without failover, an upstream's SERVFAIL is returned as it is") {
  FakeUpstream first({SERVFAIL});
  FakeUpstream second({NOERROR});
  Rig rig("forward . " + first.address() + " " + second.address() + " {\n policy sequential\n}");
  CHECK(read(rig.ask("example.org.")).rcode == SERVFAIL);
  CHECK(second.asked().empty());
}

TEST_CASE("forward: every upstream refused is an unwritten SERVFAIL carrying the last error") {
  Rig rig("forward . " + refusing_address() + " " + refusing_address() +
          " {\n policy sequential\n max_fails 0\n}");
  const Response r = rig.ask("example.org.");
  CHECK_FALSE(r.written());
  CHECK(r.rcode == SERVFAIL);
  CHECK(r.error.find("connection refused") != std::string::npos);
}
