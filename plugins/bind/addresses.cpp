#include "plugins/bind/addresses.h"

#include <arpa/inet.h>

#include <algorithm>

#include "core/util/error.h"
#include "core/util/go_quote.h"

namespace coredns::plugins::bind {
namespace {

// An IPv4 or IPv6 literal without a zone, as Go's net.ParseIP accepts.
bool is_ip_literal(const std::string& text) {
  unsigned char buf[16];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

}  // namespace

std::vector<std::string> expand(const std::vector<std::string>& args,
                                const std::vector<Interface>& interfaces) {
  std::vector<std::string> out;
  for (const std::string& arg : args) {
    // An interface name wins over an address: a name is never a valid literal anyway.
    auto iface = std::find_if(interfaces.begin(), interfaces.end(),
                              [&](const Interface& i) { return i.name == arg; });
    if (iface != interfaces.end()) {
      out.insert(out.end(), iface->addresses.begin(), iface->addresses.end());
      continue;
    }
    if (!is_ip_literal(arg))
      throw ConfigError("not a valid IP address or interface name: " + go_quote(arg));
    out.push_back(arg);
  }
  return out;
}

std::vector<std::string> listen_hosts(const BindLine& line, const std::vector<Interface>& interfaces) {
  const std::vector<std::string> targets = expand(line.targets, interfaces);
  const std::vector<std::string> except = expand(line.except, interfaces);
  std::vector<std::string> hosts;
  for (const std::string& host : targets)
    if (std::find(except.begin(), except.end(), host) == except.end()) hosts.push_back(host);
  return hosts;
}

}  // namespace coredns::plugins::bind
