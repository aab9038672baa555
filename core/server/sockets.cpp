#include "core/server/sockets.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

#include "core/util/errno_text.h"
#include "core/util/error.h"

namespace coredns::server {
namespace {

struct Resolved {
  sockaddr_storage ss{};
  socklen_t len = 0;
  bool wildcard = false;
};

// Parses the listen host (an IP literal, IPv6 possibly with %zone) and port.
bool resolve(const ListenAddress& addr, uint16_t port, int family, Resolved& out) {
  out = {};
  if (addr.host.empty()) {
    out.wildcard = true;
    if (family == AF_INET6) {
      auto* s6 = reinterpret_cast<sockaddr_in6*>(&out.ss);
      s6->sin6_family = AF_INET6;
      s6->sin6_addr = in6addr_any;
      s6->sin6_port = htons(port);
      out.len = sizeof(sockaddr_in6);
    } else {
      auto* s4 = reinterpret_cast<sockaddr_in*>(&out.ss);
      s4->sin_family = AF_INET;
      s4->sin_addr.s_addr = htonl(INADDR_ANY);
      s4->sin_port = htons(port);
      out.len = sizeof(sockaddr_in);
    }
    return true;
  }
  auto* s4 = reinterpret_cast<sockaddr_in*>(&out.ss);
  if (inet_pton(AF_INET, addr.host.c_str(), &s4->sin_addr) == 1) {
    s4->sin_family = AF_INET;
    s4->sin_port = htons(port);
    out.len = sizeof(sockaddr_in);
    return true;
  }
  std::string host = addr.host;
  std::string zone;
  if (auto pct = host.find('%'); pct != std::string::npos) {
    zone = host.substr(pct + 1);
    host.resize(pct);
  }
  auto* s6 = reinterpret_cast<sockaddr_in6*>(&out.ss);
  if (inet_pton(AF_INET6, host.c_str(), &s6->sin6_addr) == 1) {
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(port);
    if (!zone.empty()) s6->sin6_scope_id = if_nametoindex(zone.c_str());
    out.len = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}

ConfigError listen_error(const char* prefix, const char* net, const ListenAddress& addr,
                         const char* op, int err) {
  std::string text =
      fmt::format("listen {} {}: {}: {}", net, addr.host_port(), op, go_errno_text(err));
  return ConfigError(prefix ? fmt::format("{}: {}", prefix, text) : text);
}

int open_one(const ListenAddress& addr, uint16_t port, int type, int& err, const char*& op) {
  Resolved r;
  int families[2] = {AF_INET6, AF_INET};
  for (int fam : families) {
    if (!resolve(addr, port, fam, r)) {
      op = "lookup";
      err = EINVAL;
      return -1;
    }
    int fd = ::socket(r.ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      // No IPv6 on this host: a wildcard falls back to IPv4 only, as Go does.
      if (r.wildcard && fam == AF_INET6 && (errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT))
        continue;
      err = errno;
      op = "socket";
      return -1;
    }
    int one = 1, zero = 0;
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (type == SOCK_STREAM) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (r.ss.ss_family == AF_INET6) {
      if (r.wildcard) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
      if (type == SOCK_DGRAM) setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
    }
    if (type == SOCK_DGRAM && (r.ss.ss_family == AF_INET || r.wildcard))
      setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
    if (type == SOCK_STREAM) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&r.ss), r.len) < 0) {
      err = errno;
      op = "bind";
      ::close(fd);
      return -1;
    }
    if (type == SOCK_STREAM && ::listen(fd, 1024) < 0) {
      err = errno;
      op = "listen";
      ::close(fd);
      return -1;
    }
    return fd;
  }
  err = EAFNOSUPPORT;
  op = "socket";
  return -1;
}

FdSet open_many(const ListenAddress& addr, int count, int type, const char* prefix,
                const char* net) {
  long port_value = std::strtol(addr.port.c_str(), nullptr, 10);
  if (port_value < 0 || port_value > 65535)
    throw ConfigError(fmt::format("address {}: invalid port", addr.port));
  auto port = static_cast<uint16_t>(port_value);
  FdSet set;
  for (int i = 0; i < count; ++i) {
    int err = 0;
    const char* op = "";
    int fd = open_one(addr, port, type, err, op);
    if (fd < 0) throw listen_error(prefix, net, addr, op, err);
    set.add(fd);
    if (port == 0) port = static_cast<uint16_t>(bound_port(fd));
  }
  return set;
}

}  // namespace

FdSet& FdSet::operator=(FdSet&& o) noexcept {
  if (this != &o) {
    for (int fd : fds_) ::close(fd);
    fds_ = std::move(o.fds_);
    o.fds_.clear();
  }
  return *this;
}

FdSet::~FdSet() {
  for (int fd : fds_) ::close(fd);
}

std::vector<int> FdSet::release() {
  std::vector<int> out;
  out.swap(fds_);
  return out;
}

int bound_port(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0) return 0;
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
}

FdSet open_udp(const ListenAddress& addr, int count) {
  return open_many(addr, count, SOCK_DGRAM, "ListenPacket", "udp");
}

FdSet open_tcp(const ListenAddress& addr, int count) {
  return open_many(addr, count, SOCK_STREAM, "Listen", "tcp");
}

int open_tcp_listener(const ListenAddress& addr) {
  return open_many(addr, 1, SOCK_STREAM, nullptr, "tcp").release().front();
}

}  // namespace coredns::server
