// ICMPv4 <-> ICMPv6 type, code and pointer translation (RFC 7915 §4.2 and §5.2).
#pragma once

#include <cstdint>
#include <optional>

namespace nat64::icmp {

namespace v4 {
constexpr uint8_t echo_reply = 0, dest_unreach = 3, echo_request = 8, time_exceeded = 11, param_problem = 12;
}
namespace v6 {
constexpr uint8_t dest_unreach = 1, packet_too_big = 2, time_exceeded = 3, param_problem = 4, echo_request = 128,
                  echo_reply = 129;
}

struct TypeCode {
  uint8_t type, code;
};

inline bool is_v4_error(uint8_t t) { return t == 3 || t == 4 || t == 5 || t == 11 || t == 12; }
inline bool is_v6_error(uint8_t t) { return t < 128; }

// ICMPv4 error -> ICMPv6 error; nullopt = drop. Fragmentation Needed and Parameter Problem
// need their MTU / pointer translated as well (below).
std::optional<TypeCode> error_4to6(uint8_t type, uint8_t code);
std::optional<TypeCode> error_6to4(uint8_t type, uint8_t code);

// Parameter Problem pointers (RFC 7915 Figures 3 and 6).
std::optional<uint32_t> pointer_4to6(uint8_t ptr);
std::optional<uint8_t> pointer_6to4(uint32_t ptr);

// RFC 1191 §7 plateau below the given length, for a Fragmentation Needed without an MTU.
uint16_t mtu_plateau_below(uint32_t len);

}  // namespace nat64::icmp
