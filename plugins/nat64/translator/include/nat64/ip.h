// Address types and byte-order helpers shared by every part of the translator.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "core/util/byte_order.h"

namespace nat64 {

// IPv4 addresses are kept in host byte order: prefix arithmetic is then plain integer math.
using V4 = uint32_t;

struct V6 {
  std::array<uint8_t, 16> b{};
  // Two 64-bit compares: the defaulted operator calls memcmp, on every packet.
  friend bool operator==(const V6& x, const V6& y) {
    uint64_t x0, x1, y0, y1;
    std::memcpy(&x0, x.b.data(), 8);
    std::memcpy(&x1, x.b.data() + 8, 8);
    std::memcpy(&y0, y.b.data(), 8);
    std::memcpy(&y1, y.b.data() + 8, 8);
    return ((x0 ^ y0) | (x1 ^ y1)) == 0;
  }
};

struct V6Hash {
  size_t operator()(const V6& a) const noexcept {
    uint64_t x, y;
    std::memcpy(&x, a.b.data(), 8);
    std::memcpy(&y, a.b.data() + 8, 8);
    return static_cast<size_t>((x * 0x9e3779b97f4a7c15ULL) ^ (y + 0x7f4a7c159e3779b9ULL + (x >> 7)));
  }
};

using coredns::util::load16;
using coredns::util::load32;
using coredns::util::store16;
using coredns::util::load64;
using coredns::util::store32;
using coredns::util::store64;

inline V6 load_v6(const uint8_t* p) {
  V6 a;
  std::memcpy(a.b.data(), p, 16);
  return a;
}
inline void store_v6(uint8_t* p, const V6& a) { std::memcpy(p, a.b.data(), 16); }

inline V4 mask4(int len) { return len <= 0 ? 0 : len >= 32 ? 0xffffffffu : ~((1u << (32 - len)) - 1); }

#ifdef __SIZEOF_INT128__
using U128 = unsigned __int128;
#else
// 32-bit targets (ARM) have no 128-bit integer: the few operations the prefix and map
// arithmetic needs, on two halves.
struct U128 {
  uint64_t hi = 0, lo = 0;
  constexpr U128() = default;
  constexpr U128(uint64_t v) : lo(v) {}  // NOLINT: converts like the built-in type
  constexpr U128(uint64_t h, uint64_t l) : hi(h), lo(l) {}
  constexpr explicit operator uint64_t() const { return lo; }
  constexpr explicit operator uint32_t() const { return static_cast<uint32_t>(lo); }
  friend constexpr U128 operator&(U128 a, U128 b) { return {a.hi & b.hi, a.lo & b.lo}; }
  friend constexpr U128 operator|(U128 a, U128 b) { return {a.hi | b.hi, a.lo | b.lo}; }
  friend constexpr U128 operator~(U128 a) { return {~a.hi, ~a.lo}; }
  friend constexpr bool operator==(U128 a, U128 b) { return a.hi == b.hi && a.lo == b.lo; }
  friend constexpr U128 operator-(U128 a, U128 b) {
    return {a.hi - b.hi - (a.lo < b.lo ? 1 : 0), a.lo - b.lo};
  }
  friend constexpr U128 operator<<(U128 a, int n) {
    if (n <= 0) return a;
    if (n >= 128) return {};
    if (n >= 64) return {a.lo << (n - 64), 0};
    return {a.hi << n | a.lo >> (64 - n), a.lo << n};
  }
  friend constexpr U128 operator>>(U128 a, int n) {
    if (n <= 0) return a;
    if (n >= 128) return {};
    if (n >= 64) return {0, a.hi >> (n - 64)};
    return {a.hi >> n, a.lo >> n | a.hi << (64 - n)};
  }
};
#endif
// Big-endian bytes <-> a 128-bit integer: two loads and byte swaps (this is on the per-packet
// path of every prefix and map lookup).
inline U128 to_u128(const V6& a) { return U128(load64(a.b.data())) << 64 | load64(a.b.data() + 8); }
inline V6 from_u128(U128 v) {
  V6 a;
  store64(a.b.data(), static_cast<uint64_t>(v >> 64));
  store64(a.b.data() + 8, static_cast<uint64_t>(v));
  return a;
}
inline U128 mask6(int len) {
  if (len <= 0) return 0;
  if (len >= 128) return ~U128(0);
  return ~((U128(1) << (128 - len)) - 1);
}

struct Prefix4 {
  V4 addr = 0;
  int len = 0;
  bool contains(V4 a) const { return (a & mask4(len)) == addr; }
  bool operator==(const Prefix4&) const = default;
};

struct Prefix6 {
  V6 addr;
  int len = 0;
  bool contains(const V6& a) const { return (to_u128(a) & mask6(len)) == to_u128(addr); }
  bool operator==(const Prefix6&) const = default;
};

std::optional<V4> parse_v4(std::string_view s);
std::optional<V6> parse_v6(std::string_view s);
// "a.b.c.d[/len]"; without a length, default_len. Host bits are not checked here.
std::optional<Prefix4> parse_prefix4(std::string_view s, int default_len);
std::optional<Prefix6> parse_prefix6(std::string_view s, int default_len);
std::string format_v4(V4 a);
std::string format_v6(const V6& a);
// Writes the text form into buf (at least 46 bytes) and returns its length; no allocation.
size_t format_v4_to(char* buf, V4 a);
size_t format_v6_to(char* buf, const V6& a);

}  // namespace nat64
