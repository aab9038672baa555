#pragma once
// Address prefixes that plugins match client addresses (and answer addresses) against: dns64's
// `clients` and `exclude`, acl's `net`, loadbalance's `prefer`.
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/plugin/request.h"

namespace coredns {

struct Cidr {
  int family = AF_INET6;              // AF_INET or AF_INET6
  std::array<uint8_t, 16> bytes{};    // the first 4 for IPv4
  int length = 0;

  // "2001:db8::/32", "10.0.0.0/8", or a bare address (a host prefix). With `unmap`, an
  // IPv4-mapped IPv6 prefix of /96 or longer ("::ffff:10.0.0.0/104") is taken as the IPv4 prefix
  // it maps: for client addresses, which are IPv4 on IPv4-mapped sources (CoreDNS's rule).
  static std::optional<Cidr> parse(std::string_view text, bool unmap = false);

  bool contains(int addr_family, const uint8_t* addr) const;
  // The client's source address (IPv4-mapped sources are IPv4 already, see Endpoint).
  bool contains(const Endpoint& e) const;
};

class CidrList {
 public:
  void add(const Cidr& c) { items_.push_back(c); }
  void clear() { items_.clear(); }
  bool empty() const { return items_.empty(); }
  const std::vector<Cidr>& items() const { return items_; }

  bool contains_v6(const uint8_t* addr) const { return contains(AF_INET6, addr); }
  bool contains(int family, const uint8_t* addr) const;
  bool contains(const Endpoint& e) const;

 private:
  std::vector<Cidr> items_;
};

// The address bytes of an endpoint (4 for IPv4, 16 for IPv6), for Cidr::contains.
const uint8_t* address_bytes(const Endpoint& e);

}  // namespace coredns
