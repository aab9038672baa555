#include "plugins/bind/interfaces.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>

namespace coredns::plugins::bind {

std::vector<Interface> system_interfaces() {
  std::vector<Interface> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (ifaddrs* ifa = list; ifa; ifa = ifa->ifa_next) {
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const Interface& i) { return i.name == ifa->ifa_name; });
    if (it == out.end()) it = out.insert(out.end(), Interface{ifa->ifa_name, {}});
    if (!ifa->ifa_addr) continue;
    char text[INET6_ADDRSTRLEN];
    if (ifa->ifa_addr->sa_family == AF_INET) {
      const auto* s4 = reinterpret_cast<const sockaddr_in*>(ifa->ifa_addr);
      inet_ntop(AF_INET, &s4->sin_addr, text, sizeof text);
      it->addresses.emplace_back(text);
    } else if (ifa->ifa_addr->sa_family == AF_INET6) {
      const auto* s6 = reinterpret_cast<const sockaddr_in6*>(ifa->ifa_addr);
      inet_ntop(AF_INET6, &s6->sin6_addr, text, sizeof text);
      std::string address = text;
      if (IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr)) address += "%" + it->name;
      it->addresses.push_back(std::move(address));
    }
  }
  freeifaddrs(list);
  return out;
}

}  // namespace coredns::plugins::bind
