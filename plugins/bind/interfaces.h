#pragma once
#include <vector>

#include "plugins/bind/addresses.h"

namespace coredns::plugins::bind {

// The host's network interfaces with their addresses (getifaddrs), IPv6 link-local addresses
// scoped with "%name" so that a socket can be bound to them.
std::vector<Interface> system_interfaces();

}  // namespace coredns::plugins::bind
