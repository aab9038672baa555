#include "nat64/ip.h"

#include <arpa/inet.h>
#include <charconv>

namespace nat64 {

std::optional<V4> parse_v4(std::string_view s) {
  char buf[INET_ADDRSTRLEN];
  if (s.empty() || s.size() >= sizeof buf) return std::nullopt;
  s.copy(buf, s.size());
  buf[s.size()] = 0;
  in_addr a{};
  if (inet_pton(AF_INET, buf, &a) != 1) return std::nullopt;
  return ntohl(a.s_addr);
}

std::optional<V6> parse_v6(std::string_view s) {
  char buf[INET6_ADDRSTRLEN];
  if (s.empty() || s.size() >= sizeof buf) return std::nullopt;
  s.copy(buf, s.size());
  buf[s.size()] = 0;
  V6 a;
  if (inet_pton(AF_INET6, buf, a.b.data()) != 1) return std::nullopt;
  return a;
}

static std::optional<int> parse_len(std::string_view s, int max) {
  int v = -1;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0 || v > max) return std::nullopt;
  return v;
}

std::optional<Prefix4> parse_prefix4(std::string_view s, int default_len) {
  auto slash = s.find('/');
  auto a = parse_v4(s.substr(0, slash));
  if (!a) return std::nullopt;
  int len = default_len;
  if (slash != std::string_view::npos) {
    auto l = parse_len(s.substr(slash + 1), 32);
    if (!l) return std::nullopt;
    len = *l;
  }
  return Prefix4{*a, len};
}

std::optional<Prefix6> parse_prefix6(std::string_view s, int default_len) {
  auto slash = s.find('/');
  auto a = parse_v6(s.substr(0, slash));
  if (!a) return std::nullopt;
  int len = default_len;
  if (slash != std::string_view::npos) {
    auto l = parse_len(s.substr(slash + 1), 128);
    if (!l) return std::nullopt;
    len = *l;
  }
  return Prefix6{*a, len};
}

size_t format_v4_to(char* buf, V4 a) {
  in_addr n{htonl(a)};
  inet_ntop(AF_INET, &n, buf, INET_ADDRSTRLEN);
  return std::strlen(buf);
}

size_t format_v6_to(char* buf, const V6& a) {
  inet_ntop(AF_INET6, a.b.data(), buf, INET6_ADDRSTRLEN);
  return std::strlen(buf);
}

std::string format_v4(V4 a) {
  char buf[INET6_ADDRSTRLEN];
  return std::string(buf, format_v4_to(buf, a));
}

std::string format_v6(const V6& a) {
  char buf[INET6_ADDRSTRLEN];
  return std::string(buf, format_v6_to(buf, a));
}

}  // namespace nat64
