#include <catch2/catch.hpp>

#include "nat64/icmp_tables.h"

using namespace nat64::icmp;

namespace {
bool is(std::optional<TypeCode> t, int type, int code) { return t && t->type == type && t->code == code; }
}

TEST_CASE("icmp tables: ICMPv4 errors to ICMPv6 (RFC 7915 §4.2)", "[icmp]") {
  for (int c : {0, 1, 5, 6, 7, 8, 11, 12}) CHECK(is(error_4to6(3, static_cast<uint8_t>(c)), 1, 0));
  CHECK(is(error_4to6(3, 2), 4, 1));
  CHECK(is(error_4to6(3, 3), 1, 4));
  CHECK(is(error_4to6(3, 4), 2, 0));
  for (int c : {9, 10, 13, 15}) CHECK(is(error_4to6(3, static_cast<uint8_t>(c)), 1, 1));
  CHECK_FALSE(error_4to6(3, 14));
  CHECK_FALSE(error_4to6(3, 16));
  CHECK(is(error_4to6(11, 0), 3, 0));
  CHECK(is(error_4to6(11, 1), 3, 1));
  CHECK(is(error_4to6(12, 0), 4, 0));
  CHECK(is(error_4to6(12, 2), 4, 0));
  CHECK_FALSE(error_4to6(12, 1));
  for (int t : {4, 5, 9, 10, 13, 14, 15, 16, 17, 18}) CHECK_FALSE(error_4to6(static_cast<uint8_t>(t), 0));
}

TEST_CASE("icmp tables: ICMPv6 errors to ICMPv4 (RFC 7915 §5.2)", "[icmp]") {
  CHECK(is(error_6to4(1, 0), 3, 1));
  CHECK(is(error_6to4(1, 1), 3, 10));
  CHECK(is(error_6to4(1, 2), 3, 1));
  CHECK(is(error_6to4(1, 3), 3, 1));
  CHECK(is(error_6to4(1, 4), 3, 3));
  CHECK_FALSE(error_6to4(1, 5));
  CHECK_FALSE(error_6to4(1, 6));
  CHECK(is(error_6to4(2, 0), 3, 4));
  CHECK(is(error_6to4(3, 0), 11, 0));
  CHECK(is(error_6to4(3, 1), 11, 1));
  CHECK(is(error_6to4(4, 0), 12, 0));
  CHECK(is(error_6to4(4, 1), 3, 2));
  CHECK_FALSE(error_6to4(4, 2));
  for (int t : {130, 131, 132, 133, 134, 135, 136, 137, 143}) CHECK_FALSE(error_6to4(static_cast<uint8_t>(t), 0));
}

TEST_CASE("icmp tables: parameter problem pointers", "[icmp]") {
  CHECK(pointer_4to6(0) == 0u);
  CHECK(pointer_4to6(1) == 1u);
  CHECK(pointer_4to6(2) == 4u);
  CHECK(pointer_4to6(3) == 4u);
  CHECK(pointer_4to6(8) == 7u);
  CHECK(pointer_4to6(9) == 6u);
  for (int p = 12; p <= 15; ++p) CHECK(pointer_4to6(static_cast<uint8_t>(p)) == 8u);
  for (int p = 16; p <= 19; ++p) CHECK(pointer_4to6(static_cast<uint8_t>(p)) == 24u);
  for (int p : {4, 5, 6, 7, 10, 11, 20, 40}) CHECK_FALSE(pointer_4to6(static_cast<uint8_t>(p)));
  CHECK(pointer_6to4(0) == 0);
  CHECK(pointer_6to4(1) == 1);
  CHECK(pointer_6to4(4) == 2);
  CHECK(pointer_6to4(5) == 2);
  CHECK(pointer_6to4(6) == 9);
  CHECK(pointer_6to4(7) == 8);
  CHECK(pointer_6to4(8) == 12);
  CHECK(pointer_6to4(23) == 12);
  CHECK(pointer_6to4(24) == 16);
  CHECK(pointer_6to4(39) == 16);
  for (uint32_t p : {2u, 3u, 40u, 1000u}) CHECK_FALSE(pointer_6to4(p));
}

TEST_CASE("icmp tables: RFC 1191 plateaus", "[icmp]") {
  CHECK(mtu_plateau_below(1500) == 1492);
  CHECK(mtu_plateau_below(1492) == 1006);
  CHECK(mtu_plateau_below(65535) == 32000);
  CHECK(mtu_plateau_below(70000) == 65535);
  CHECK(mtu_plateau_below(300) == 296);
  CHECK(mtu_plateau_below(60) == 68);
}
