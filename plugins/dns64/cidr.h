#pragma once
// The address prefixes of the `exclude` and `clients` options (core/plugin/cidr.h), and RFC
// 6890's special-purpose IPv4 ranges that the Well-Known Prefix must not carry (RFC 6052 §3.1).
#include <cstdint>

#include "core/plugin/cidr.h"
#include "plugins/dns64/prefix.h"

namespace coredns::plugins::dns64 {

using coredns::Cidr;
using coredns::CidrList;

// False for RFC 6890 special-purpose IPv4 addresses: 0/8, 10/8, 100.64/10, 127/8, 169.254/16,
// 172.16/12, 192.0.0/24, 192.0.2/24, 192.168/16, 198.18/15, 198.51.100/24, 203.0.113/24, 224/4
// and 240/4.
bool is_global_ipv4(const uint8_t* v4);

}  // namespace coredns::plugins::dns64
