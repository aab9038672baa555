#pragma once
// Opening the listening sockets of a server address, one per worker (SO_REUSEPORT), with the
// error texts Go's net package gives (CoreDNS prints them verbatim).
#include <string>
#include <vector>

#include "core/plugin/listen_address.h"

namespace coredns::server {

// A set of file descriptors closed on destruction unless released.
class FdSet {
 public:
  FdSet() = default;
  FdSet(FdSet&& o) noexcept : fds_(std::move(o.fds_)) { o.fds_.clear(); }
  FdSet& operator=(FdSet&& o) noexcept;
  FdSet(const FdSet&) = delete;
  ~FdSet();
  void add(int fd) { fds_.push_back(fd); }
  const std::vector<int>& fds() const { return fds_; }
  std::vector<int> release();

 private:
  std::vector<int> fds_;
};

// Opens `count` UDP sockets on `addr` (port "0" picks one ephemeral port shared by all).
// Throws ConfigError("ListenPacket: listen udp :53: bind: address already in use").
FdSet open_udp(const ListenAddress& addr, int count);
// The same for TCP ("Listen: listen tcp :53: ..."). Sockets are listening.
FdSet open_tcp(const ListenAddress& addr, int count);

// One listening TCP socket for an HTTP endpoint (health, ready, prometheus); errors are Go's
// net text alone ("listen tcp :8080: bind: address already in use").
int open_tcp_listener(const ListenAddress& addr);

// The port a socket is bound to (to resolve port 0).
int bound_port(int fd);

}  // namespace coredns::server
