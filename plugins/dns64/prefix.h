#pragma once
// The NAT64 prefix and RFC 6052 §2.2 address embedding: where the four IPv4 octets go inside an
// IPv6 address for each prefix length, skipping bits 64-71 (the "u-octet").
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace coredns::plugins::dns64 {

using Ipv4 = std::array<uint8_t, 4>;
using Ipv6 = std::array<uint8_t, 16>;

class Prefix64 {
 public:
  // 64:ff9b::/96, RFC 6052 §2.1's Well-Known Prefix and CoreDNS's default.
  static Prefix64 well_known();

  // Parses "ADDR/LEN". On failure returns nothing and says why in `error`: not an IPv6 CIDR, a
  // length RFC 6052 does not allow (32, 40, 48, 56, 64 and 96 only), or bits 64-71 set in a /96.
  // Host bits are masked off, as CoreDNS does ("64:ff9b::1/96" is 64:ff9b::/96).
  static std::optional<Prefix64> parse(std::string_view text, std::string& error);

  int length() const { return length_; }
  const Ipv6& bytes() const { return bytes_; }
  bool is_well_known() const;
  std::string to_text() const;  // "64:ff9b::/96"

  Ipv6 embed(const Ipv4& v4) const;
  // The IPv4 address inside `v6`, if `v6` lies under this prefix with a zero u-octet. The suffix
  // bits after the IPv4 octets are ignored, as RFC 6052 §2.2 asks of decoders.
  std::optional<Ipv4> extract(const Ipv6& v6) const;

  bool operator==(const Prefix64&) const = default;

 private:
  Ipv6 bytes_{};
  int length_ = 0;
};

}  // namespace coredns::plugins::dns64
