#pragma once
// One worker's TCP listener for one listen address, and its connections (RFC 7766: pipelined
// queries served concurrently and answered as they complete, idle timeouts, 2-byte framing).
#include <uv.h>

#include <unordered_set>
#include <vector>

#include "core/plugin/request.h"

namespace coredns::server {

class Server;
class Worker;
struct HeldConfig;
class TcpConnection;

class TcpEndpoint {
 public:
  TcpEndpoint(Worker& worker, int fd);
  void serve(const Server* server, HeldConfig* ref) {
    server_ = server;
    ref_ = ref;
  }
  // Stops accepting; open connections finish what they have in flight, then close. The endpoint
  // frees itself once the last connection is gone.
  void close();
  void connection_opened(TcpConnection* c) { connections_.insert(c); }
  void connection_closed(TcpConnection* c);

  const Server* server() const { return server_; }
  HeldConfig* ref() const { return ref_; }
  Worker& worker() { return worker_; }

 private:
  static void on_connection(uv_stream_t* s, int status);

  Worker& worker_;
  uv_tcp_t handle_;
  const Server* server_ = nullptr;
  HeldConfig* ref_ = nullptr;
  std::unordered_set<TcpConnection*> connections_;
  bool closed_ = false;
  bool handle_closed_ = false;
};

}  // namespace coredns::server
