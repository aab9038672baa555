#pragma once
// One worker's UDP socket for one listen address: batched receive (recvmmsg), queries started as
// coroutines, replies batched (sendmmsg) from the address each query arrived on (IP_PKTINFO).
#include <netinet/in.h>
#include <sys/socket.h>
#include <uv.h>

#include <memory>
#include <vector>

#include "core/plugin/request.h"

namespace coredns::server {

class Server;
class Worker;
struct HeldConfig;

class UdpEndpoint {
 public:
  UdpEndpoint(Worker& worker, int fd);
  // Repoints new queries at `server` of configuration `ref`.
  void serve(const Server* server, HeldConfig* ref) {
    server_ = server;
    ref_ = ref;
  }
  // Stops receiving; the endpoint frees itself once its last query finished.
  void close();
  // Sends queued replies.
  void flush();

 private:
  struct Outgoing {
    std::vector<uint8_t> bytes;
    SocketAddress peer;
    socklen_t peer_len;
    // The address the query came to, to answer from it.
    bool v6;
    in6_pktinfo pkt6;
    in_pktinfo pkt4;
  };
  struct Arrival {
    SocketAddress peer;
    socklen_t peer_len;
    bool v6 = false;
    in6_pktinfo pkt6{};
    in_pktinfo pkt4{};
    bool client_ipv4() const { return ipv4_client(peer); }
  };
  // The family Endpoint::from gives the Request: a v4-mapped peer is an IPv4 client.
  static bool ipv4_client(const SocketAddress& peer) {
    return peer.sa.sa_family != AF_INET6 || IN6_IS_ADDR_V4MAPPED(&peer.in6.sin6_addr);
  }

  static void on_poll(uv_poll_t* h, int status, int events);
  void receive();
  // The address the query came to, as the Request shows it.
  Endpoint local_end(const Arrival& from) const;
  // `hash`: KeptReplyKey::hash_of(raw, from.client_ipv4()).
  void handle(std::span<const uint8_t> raw, const Arrival& from, uint64_t hash);
  void enqueue(std::vector<uint8_t> bytes, const Arrival& to);
  void query_done();
  void maybe_free();

  Worker& worker_;
  int fd_;
  int port_;
  uv_poll_t poll_;
  const Server* server_ = nullptr;
  HeldConfig* ref_ = nullptr;
  std::vector<Outgoing> pending_;
  int inflight_ = 0;
  bool closed_ = false;
  bool handle_closed_ = false;
};

}  // namespace coredns::server
