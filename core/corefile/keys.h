#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace coredns::corefile {

// A server-block key after normalisation (CoreDNS's core/dnsserver/address.go):
// `dns://example.org.:53`.
struct ZoneAddress {
  std::string transport;  // "dns", "tls", "quic", "grpc", "https", "https3", "unix"
  std::string zone;       // lower-cased, fully qualified
  std::string port;       // decimal, normalised ("0053" -> "53"); empty for unix

  std::string str() const;  // "dns://example.org.:53"
};

// Normalises a block's keys, expanding reverse CIDR keys into one zone per boundary-aligned
// subnet. The result is in key order, a CIDR key's zones in address order where the key was
// (the order CoreDNS ends up with after appending the extra zones to the key list). Throws
// ConfigError with the bare message (e.g. "zone is not a valid domain name: example..org");
// the caller adds "error inspecting server blocks: ".
std::vector<ZoneAddress> normalize_keys(const std::vector<std::string>& keys,
                                        std::string_view default_port);

// Throws ConfigError "address 99999: invalid port" unless the port is one a listener can use
// (0-65535). An empty port (unix://, which gets no listener) is accepted.
void check_port(const ZoneAddress& address);

// RFC 1035's preferred name syntax, ^(([A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?)\.)+$; zones that do
// not follow it (and are neither "." nor reverse zones) get a warning at startup.
bool follows_rfc1035(std::string_view zone);
// A zone under in-addr.arpa. or ip6.arpa. (or one of those two itself).
bool is_reverse_zone(std::string_view zone);

}  // namespace coredns::corefile
