#pragma once
// The reverse CIDR shorthand for server-block keys (CoreDNS's plugin/normalize.go): `10.0.0.0/15`
// stands for the reverse zones 0.10.in-addr.arpa. and 1.10.in-addr.arpa.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coredns::corefile {

// The reverse zones a key's zone text stands for, or nullopt if the text is not an IP network
// in CIDR notation (then it is an ordinary domain name). Throws ConfigError "invalid CIDR TEXT"
// for IPv6 networks written starting with ':' or with '0', which CoreDNS refuses.
std::optional<std::vector<std::string>> reverse_zones(std::string_view zone_text);

}  // namespace coredns::corefile
