#pragma once
#include <string>

namespace coredns {

// Where one server listens: CoreDNS groups zones into servers by TRANSPORT://[host]:PORT. Its
// key() is the `server` label of CoreDNS's metrics.
struct ListenAddress {
  std::string transport = "dns";
  std::string host;  // empty: every address (dual-stack wildcard)
  std::string port;

  // "dns://:53", "dns://127.0.0.1:53": the server's name in logs and panics.
  std::string key() const { return transport + "://" + host_port(); }
  // Go's net.JoinHostPort: ":53", "127.0.0.1:53", "[::1]:53".
  std::string host_port() const {
    return host.find(':') != std::string::npos ? "[" + host + "]:" + port : host + ":" + port;
  }
  bool operator<(const ListenAddress& o) const { return key() < o.key(); }
  bool operator==(const ListenAddress& o) const { return key() == o.key(); }
};

}  // namespace coredns
