#pragma once
// Go's net.SplitHostPort, whose error texts CoreDNS prints verbatim for plugin addresses
// (`plugin/health: address localhost: missing port in address`).
#include <optional>
#include <string>
#include <string_view>

namespace coredns {

struct HostPort {
  std::string host;  // without brackets: "::1", "" for every address
  std::string port;
};

// Splits "host:port", "[v6]:port" or ":port". On failure returns nullopt and sets `error` to
// Go's text, e.g. "address localhost: missing port in address".
std::optional<HostPort> go_split_host_port(std::string_view text, std::string& error);

}  // namespace coredns
