#include "core/corefile/reverse_zones.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>

#include "core/util/error.h"

namespace coredns::corefile {
namespace {

struct Network {
  std::array<std::uint8_t, 16> address{};
  int address_bits = 0;  // 32 or 128
  int prefix = 0;
};

// Go's net.ParseCIDR: an IPv4 or IPv6 address (no zone), '/', a decimal prefix length that may
// have leading zeros.
std::optional<Network> parse_cidr(std::string_view text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string address(text.substr(0, slash));
  const std::string_view length = text.substr(slash + 1);

  Network network;
  const bool v6 = address.find(':') != std::string::npos;
  network.address_bits = v6 ? 128 : 32;
  if (inet_pton(v6 ? AF_INET6 : AF_INET, address.c_str(), network.address.data()) != 1) {
    return std::nullopt;
  }
  if (length.empty()) return std::nullopt;
  for (const char c : length) {
    if (c < '0' || c > '9') return std::nullopt;
    // Saturate: any value above 128 is refused below, however long the digit string.
    network.prefix = std::min(network.prefix * 10 + (c - '0'), 1000);
  }
  if (network.prefix > network.address_bits) return std::nullopt;
  return network;
}

void set_bit(Network& n, int index, bool value) {
  const auto mask = static_cast<std::uint8_t>(0x80 >> (index % 8));
  n.address[index / 8] = value ? (n.address[index / 8] | mask) : (n.address[index / 8] & ~mask);
}

// The reverse name covering the first `digits` labels' worth of the address: octets for IPv4,
// nibbles for IPv6, most specific first.
std::string reverse_name(const Network& n, int digits) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string name;
  for (int i = digits - 1; i >= 0; --i) {
    if (n.address_bits == 32) {
      name += std::to_string(n.address[i]);
    } else {
      const std::uint8_t byte = n.address[i / 2];
      name += hex[i % 2 == 0 ? byte >> 4 : byte & 0x0F];
    }
    name += '.';
  }
  return name + (n.address_bits == 32 ? "in-addr.arpa." : "ip6.arpa.");
}

}  // namespace

std::optional<std::vector<std::string>> reverse_zones(std::string_view zone_text) {
  auto network = parse_cidr(zone_text);
  if (!network) return std::nullopt;
  if (zone_text[0] == ':' || (zone_text[0] == '0' && zone_text.find(':') != std::string_view::npos)) {
    throw ConfigError("invalid CIDR " + std::string(zone_text));
  }
  for (int i = network->prefix; i < network->address_bits; ++i) set_bit(*network, i, false);

  // Reverse zones can only delegate on label boundaries: a prefix between boundaries is
  // widened to the next one down the tree, which takes 2^(extra bits) zones to cover.
  const int digit_bits = network->address_bits == 32 ? 8 : 4;
  const int boundary = (network->prefix + digit_bits - 1) / digit_bits * digit_bits;
  const int extra_bits = boundary - network->prefix;
  std::vector<std::string> zones;
  for (unsigned subnet = 0; subnet < (1u << extra_bits); ++subnet) {
    for (int b = 0; b < extra_bits; ++b) {
      set_bit(*network, network->prefix + b, (subnet >> (extra_bits - 1 - b)) & 1);
    }
    zones.push_back(reverse_name(*network, boundary / digit_bits));
  }
  return zones;
}

}  // namespace coredns::corefile
