#include "core/plugin/cidr.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <string>

namespace coredns {
namespace {

bool prefix_match(const uint8_t* a, const uint8_t* b, int bits) {
  const int whole = bits / 8;
  if (std::memcmp(a, b, static_cast<size_t>(whole)) != 0) return false;
  const int rest = bits % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

void mask_host_bits(std::array<uint8_t, 16>& bytes, int length, size_t size) {
  for (size_t i = 0; i < size; ++i) {
    const int bit = static_cast<int>(i) * 8;
    if (bit >= length) bytes[i] = 0;
    else if (bit + 8 > length) bytes[i] &= static_cast<uint8_t>(0xFF << (8 - (length - bit)));
  }
}

constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

}  // namespace

std::optional<Cidr> Cidr::parse(std::string_view text, bool unmap) {
  const size_t slash = text.find('/');
  const std::string addr(text.substr(0, slash));
  Cidr c;
  if (inet_pton(AF_INET6, addr.c_str(), c.bytes.data()) == 1) {
    c.family = AF_INET6;
  } else if (inet_pton(AF_INET, addr.c_str(), c.bytes.data()) == 1) {
    c.family = AF_INET;
  } else {
    return std::nullopt;
  }
  const int max = c.family == AF_INET ? 32 : 128;
  c.length = max;
  if (slash != std::string_view::npos) {
    const std::string_view len = text.substr(slash + 1);
    if (len.empty() || len.size() > 3 ||
        len.find_first_not_of("0123456789") != std::string_view::npos)
      return std::nullopt;
    c.length = std::stoi(std::string(len));
    if (c.length > max) return std::nullopt;
  }
  if (unmap && c.family == AF_INET6 && c.length >= 96 &&
      std::memcmp(c.bytes.data(), kMappedPrefix, sizeof kMappedPrefix) == 0) {
    std::memmove(c.bytes.data(), c.bytes.data() + 12, 4);
    std::memset(c.bytes.data() + 4, 0, 12);
    c.family = AF_INET;
    c.length -= 96;
  }
  mask_host_bits(c.bytes, c.length, c.family == AF_INET ? 4 : 16);
  return c;
}

bool Cidr::contains(int addr_family, const uint8_t* addr) const {
  return family == addr_family && prefix_match(bytes.data(), addr, length);
}

bool CidrList::contains(int family, const uint8_t* addr) const {
  for (const Cidr& c : items_)
    if (c.contains(family, addr)) return true;
  return false;
}

const uint8_t* address_bytes(const Endpoint& e) {
  if (e.family() == AF_INET)
    return reinterpret_cast<const uint8_t*>(
        &reinterpret_cast<const sockaddr_in*>(&e.addr)->sin_addr);
  return reinterpret_cast<const sockaddr_in6*>(&e.addr)->sin6_addr.s6_addr;
}

bool Cidr::contains(const Endpoint& e) const {
  return (e.family() == AF_INET || e.family() == AF_INET6) &&
         contains(e.family(), address_bytes(e));
}

bool CidrList::contains(const Endpoint& e) const {
  return (e.family() == AF_INET || e.family() == AF_INET6) &&
         contains(e.family(), address_bytes(e));
}

}  // namespace coredns
