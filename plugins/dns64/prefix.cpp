#include "plugins/dns64/prefix.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <cstring>

namespace coredns::plugins::dns64 {
namespace {

constexpr size_t kUOctet = 8;

bool rfc6052_length(int n) {
  return n == 32 || n == 40 || n == 48 || n == 56 || n == 64 || n == 96;
}

// Byte positions of the four IPv4 octets for a prefix of `length` bits.
std::array<size_t, 4> octet_positions(int length) {
  std::array<size_t, 4> at{};
  size_t pos = static_cast<size_t>(length) / 8;
  for (size_t& p : at) {
    if (pos == kUOctet) ++pos;
    p = pos++;
  }
  return at;
}

}  // namespace

Prefix64 Prefix64::well_known() {
  Prefix64 p;
  p.bytes_[0] = 0x00;
  p.bytes_[1] = 0x64;
  p.bytes_[2] = 0xff;
  p.bytes_[3] = 0x9b;
  p.length_ = 96;
  return p;
}

bool Prefix64::is_well_known() const { return *this == well_known(); }

std::optional<Prefix64> Prefix64::parse(std::string_view text, std::string& error) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    error = fmt::format("invalid prefix {}: want an IPv6 CIDR such as 64:ff9b::/96", text);
    return std::nullopt;
  }
  const std::string addr(text.substr(0, slash));
  const std::string_view len_text = text.substr(slash + 1);
  int length = -1;
  if (!len_text.empty() && len_text.size() <= 3 &&
      len_text.find_first_not_of("0123456789") == std::string_view::npos)
    length = std::stoi(std::string(len_text));
  Prefix64 p;
  if (inet_pton(AF_INET6, addr.c_str(), p.bytes_.data()) != 1 || length < 0 || length > 128) {
    error = fmt::format("invalid prefix {}: want an IPv6 CIDR such as 64:ff9b::/96", text);
    return std::nullopt;
  }
  if (!rfc6052_length(length)) {
    error = fmt::format(
        "invalid prefix {}: RFC 6052 allows only the lengths 32, 40, 48, 56, 64 and 96", text);
    return std::nullopt;
  }
  for (size_t i = static_cast<size_t>(length) / 8; i < p.bytes_.size(); ++i) p.bytes_[i] = 0;
  if (p.bytes_[kUOctet] != 0) {
    error = fmt::format("invalid prefix {}: bits 64 to 71 must be zero (RFC 6052 §2.2)", text);
    return std::nullopt;
  }
  p.length_ = length;
  return p;
}

std::string Prefix64::to_text() const {
  char buf[INET6_ADDRSTRLEN] = {0};
  inet_ntop(AF_INET6, bytes_.data(), buf, sizeof buf);
  return fmt::format("{}/{}", buf, length_);
}

Ipv6 Prefix64::embed(const Ipv4& v4) const {
  Ipv6 out = bytes_;
  const auto at = octet_positions(length_);
  for (size_t i = 0; i < 4; ++i) out[at[i]] = v4[i];
  return out;
}

std::optional<Ipv4> Prefix64::extract(const Ipv6& v6) const {
  const size_t n = static_cast<size_t>(length_) / 8;
  if (std::memcmp(v6.data(), bytes_.data(), n) != 0 || v6[kUOctet] != 0) return std::nullopt;
  const auto at = octet_positions(length_);
  Ipv4 out{};
  for (size_t i = 0; i < 4; ++i) out[i] = v6[at[i]];
  return out;
}

}  // namespace coredns::plugins::dns64
