#pragma once
// Address prefixes for the `exclude` and `clients` options, and RFC 6890's special-purpose IPv4
// ranges that the Well-Known Prefix must not carry (RFC 6052 §3.1).
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/plugin/request.h"
#include "plugins/dns64/prefix.h"

namespace coredns::plugins::dns64 {

struct Cidr {
  int family = AF_INET6;  // AF_INET or AF_INET6
  Ipv6 bytes{};           // the first 4 for IPv4
  int length = 0;

  // "2001:db8::/32", "10.0.0.0/8", or a bare address (a host prefix). With `unmap`, an
  // IPv4-mapped IPv6 prefix of /96 or longer ("::ffff:10.0.0.0/104") is taken as the IPv4 prefix
  // it maps: for client addresses, which are IPv4 on IPv4-mapped sources (CoreDNS's rule).
  static std::optional<Cidr> parse(std::string_view text, bool unmap = false);

  bool contains(int addr_family, const uint8_t* addr) const;
};

class CidrList {
 public:
  void add(const Cidr& c) { items_.push_back(c); }
  void clear() { items_.clear(); }
  bool empty() const { return items_.empty(); }
  const std::vector<Cidr>& items() const { return items_; }

  bool contains_v6(const uint8_t* addr) const { return contains(AF_INET6, addr); }
  bool contains(int family, const uint8_t* addr) const;
  // The client's source address (IPv4-mapped sources are IPv4 already, see Endpoint).
  bool contains(const Endpoint& e) const;

 private:
  std::vector<Cidr> items_;
};

// False for RFC 6890 special-purpose IPv4 addresses: 0/8, 10/8, 100.64/10, 127/8, 169.254/16,
// 172.16/12, 192.0.0/24, 192.0.2/24, 192.168/16, 198.18/15, 198.51.100/24, 203.0.113/24, 224/4
// and 240/4.
bool is_global_ipv4(const uint8_t* v4);

}  // namespace coredns::plugins::dns64
