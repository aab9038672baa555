#include "plugins/loop/loop.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <random>

#include <fmt/format.h>

#include "core/dns/builder.h"
#include "core/dns/types.h"
#include "core/util/go_quote.h"
#include "core/util/log.h"

namespace coredns::plugins::loop {
namespace {

using namespace std::chrono_literals;

constexpr auto kProbeFor = 30s;       // CoreDNS gives up after 30 s without a reply
constexpr auto kProbeTimeout = 2s;    // its client's read timeout
constexpr auto kProbePause = 1s;      // and its pause after a failed exchange

uint64_t random62() {
  std::random_device rd;
  uint64_t v = (uint64_t{rd()} << 32) | rd();
  return v & ((uint64_t{1} << 62) - 1);
}

void log_and_exit(const std::string& message) {
  log::write(log::Level::fatal, "loop", message);
  log::flush_thread();
  std::fflush(stdout);
  ::_exit(1);
}

}  // namespace

std::string Target::text() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + port;
  return host + ":" + port;
}

std::string probe_name(const std::string& zone) {
  return fmt::format("{}.{}.{}", random62(), random62(), zone == "." ? "" : zone);
}

std::vector<uint8_t> probe_query(const dns::Name& name) {
  dns::Header h;
  std::random_device rd;
  h.id = static_cast<uint16_t>(rd());
  h.set(dns::Header::RD);
  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, h);
  b.add_question(name, dns::type::HINFO, dns::cls::IN);
  b.finish();
  return out;
}

Loop::Loop(std::string zone, std::string probe, Target target, OnLoop on_loop)
    : zone_text_(std::move(zone)),
      probe_text_(std::move(probe)),
      target_(std::move(target)),
      on_loop_(on_loop ? on_loop : &log_and_exit) {
  dns::Name::from_text(zone_text_, zone_);
  zone_.to_lower();
  dns::Name::from_text(probe_text_, probe_);
  probe_.to_lower();
}

Loop::~Loop() { stop(); }

bool Loop::inspect(const Request& req) {
  if (req.qtype() != dns::type::HINFO || disabled()) return false;
  const dns::Name& q = req.qname_lower();
  if (!q.is_subdomain_of(zone_) || !(q == probe_)) return false;
  if (seen_.fetch_add(1) + 1 <= 2) return false;
  on_loop_(fmt::format(
      "Loop ({}:{} -> {}) detected for zone {}, see "
      "https://coredns.io/plugins/loop#troubleshooting. Query: \"HINFO {}\"",
      req.remote().ip_bracketed(), req.remote().port(), target_.text(), go_quote(zone_text_),
      probe_text_));
  return true;
}

Task<Response> Loop::serve(Request& req, Next next) {
  inspect(req);
  co_return co_await next(req);
}

void Loop::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void Loop::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Loop::wait(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return stop_; });
}

void Loop::run() {
  const auto deadline = std::chrono::steady_clock::now() + kProbeFor;
  while (std::chrono::steady_clock::now() < deadline) {
    if (exchange()) break;
    seen_.store(0);
    if (!wait(kProbePause)) break;
  }
  disable();
}

bool Loop::exchange() {
  sockaddr_storage ss{};
  socklen_t len;
  auto port = static_cast<uint16_t>(std::stoi(target_.port));
  auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
  auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
  if (!target_.host.empty() && inet_pton(AF_INET6, target_.host.c_str(), &s6->sin6_addr) == 1) {
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(port);
    len = sizeof(sockaddr_in6);
  } else {
    // No host: "this machine", which Go dials on the IPv4 loopback.
    if (target_.host.empty() || inet_pton(AF_INET, target_.host.c_str(), &s4->sin_addr) != 1)
      s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s4->sin_family = AF_INET;
    s4->sin_port = htons(port);
    len = sizeof(sockaddr_in);
  }
  int fd = ::socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool replied = false;
  std::vector<uint8_t> q = probe_query(probe_);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0 &&
      ::send(fd, q.data(), q.size(), 0) == static_cast<ssize_t>(q.size())) {
    // Polled in short slices so that a shutdown does not wait for the whole timeout.
    const auto until = std::chrono::steady_clock::now() + kProbeTimeout;
    while (!replied && std::chrono::steady_clock::now() < until) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stop_) break;
      }
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) > 0) {
        uint8_t buf[512];
        // An ICMP port unreachable shows as an error here: a failed exchange, as in CoreDNS.
        if (::recv(fd, buf, sizeof buf, 0) < 0) break;
        replied = true;
      }
    }
  }
  ::close(fd);
  return replied;
}

}  // namespace coredns::plugins::loop
