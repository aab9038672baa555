#pragma once
// Resolves a host-name TO once at startup (CoreDNS's plugin/forward/setup.go), through c-ares so
// that the static binary needs no NSS modules.
#include <sys/socket.h>

#include <string>
#include <vector>

namespace coredns::plugins::forward {

// A and AAAA addresses of `host` (A first), asking `resolvers` ("IP:port" texts) when given,
// else the system's resolv.conf and hosts file. False with `error` set when nothing was found.
bool resolve_host(const std::string& host, const std::vector<std::string>& resolvers,
                  std::vector<sockaddr_storage>& out, std::string& error);

}  // namespace coredns::plugins::forward
