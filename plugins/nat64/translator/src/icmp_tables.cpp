#include "nat64/icmp_tables.h"

namespace nat64::icmp {

std::optional<TypeCode> error_4to6(uint8_t type, uint8_t code) {
  switch (type) {
    case v4::dest_unreach:
      switch (code) {
        case 0: case 1: case 5: case 6: case 7: case 8: case 11: case 12: return TypeCode{1, 0};
        case 2: return TypeCode{4, 1};  // protocol unreachable -> unrecognized next header
        case 3: return TypeCode{1, 4};
        case 4: return TypeCode{2, 0};
        case 9: case 10: case 13: case 15: return TypeCode{1, 1};
        default: return std::nullopt;
      }
    case v4::time_exceeded: return TypeCode{3, code};
    case v4::param_problem:
      if (code == 0 || code == 2) return TypeCode{4, 0};
      return std::nullopt;
    default: return std::nullopt;  // source quench, redirect, and the rest
  }
}

std::optional<TypeCode> error_6to4(uint8_t type, uint8_t code) {
  switch (type) {
    case v6::dest_unreach:
      switch (code) {
        case 0: case 2: case 3: return TypeCode{3, 1};
        case 1: return TypeCode{3, 10};
        case 4: return TypeCode{3, 3};
        default: return std::nullopt;
      }
    case v6::packet_too_big: return TypeCode{3, 4};
    case v6::time_exceeded: return TypeCode{11, code};
    case v6::param_problem:
      if (code == 0) return TypeCode{12, 0};
      if (code == 1) return TypeCode{3, 2};
      return std::nullopt;
    default: return std::nullopt;
  }
}

std::optional<uint32_t> pointer_4to6(uint8_t p) {
  if (p == 0 || p == 1) return p;
  if (p == 2 || p == 3) return 4;
  if (p == 8) return 7;
  if (p == 9) return 6;
  if (p >= 12 && p <= 15) return 8;
  if (p >= 16 && p <= 19) return 24;
  return std::nullopt;
}

std::optional<uint8_t> pointer_6to4(uint32_t p) {
  if (p == 0 || p == 1) return static_cast<uint8_t>(p);
  if (p == 4 || p == 5) return 2;
  if (p == 6) return 9;
  if (p == 7) return 8;
  if (p >= 8 && p <= 23) return 12;
  if (p >= 24 && p <= 39) return 16;
  return std::nullopt;
}

uint16_t mtu_plateau_below(uint32_t len) {
  static constexpr uint16_t plateaus[] = {65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68};
  for (uint16_t p : plateaus)
    if (p < len) return p;
  return 68;
}

}  // namespace nat64::icmp
