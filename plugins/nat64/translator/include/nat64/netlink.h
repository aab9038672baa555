// tun-ip / tun-route (apalrd/tayga): addresses and routes on the TUN, through rtnetlink.
#pragma once

#include <string>

#include "nat64/config.h"

namespace nat64 {

bool netlink_add_address(int ifindex, const TunAddress& a, std::string& err);
bool netlink_add_route(int ifindex, const TunAddress& a, std::string& err);

}  // namespace nat64
