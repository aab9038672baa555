#include <catch2/catch.hpp>

#include "nat64/checksum.h"

using namespace nat64;

TEST_CASE("checksum: RFC 1071 sum and finish", "[checksum]") {
  // RFC 1071 §3 example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2.
  const uint8_t d[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  CHECK(csum::fold(csum::add(d, sizeof d)) == 0xddf2);
  CHECK(csum::finish(csum::add(d, sizeof d)) == 0x220d);
  // Odd length: the last byte is padded with zero.
  const uint8_t odd[] = {0x01, 0x02, 0x03};
  CHECK(csum::fold(csum::add(odd, 3)) == 0x0402);
}

TEST_CASE("checksum: incremental update equals recomputation", "[checksum]") {
  uint8_t buf[64];
  for (int i = 0; i < 64; ++i) buf[i] = static_cast<uint8_t>(i * 37 + 11);
  buf[10] = buf[11] = 0;
  const uint16_t ck = csum::finish(csum::add(buf, 64));
  store16(buf + 10, ck);
  REQUIRE(csum::fold(csum::add(buf, 64)) == 0xffff);
  // Replace 8 bytes (an IPv4 address pair) with 32 bytes' worth of sum (an IPv6 pair).
  const V6 a = *parse_v6("2001:db8::1"), b = *parse_v6("64:ff9b::c000:221");
  const uint32_t old_sum = csum::add(buf + 20, 8);
  const uint32_t new_sum = csum::add_v6(a) + csum::add_v6(b);
  const uint16_t inc = csum::update(ck, old_sum, new_sum);
  uint8_t big[88];
  std::memcpy(big, buf, 20);
  store_v6(big + 20, a);
  store_v6(big + 36, b);
  std::memcpy(big + 52, buf + 28, 36);
  store16(big + 10, 0);
  CHECK(inc == csum::finish(csum::add(big, 88)));
}

TEST_CASE("checksum: pseudo-headers", "[checksum]") {
  const V4 s = 0xc0000201, d = 0xc6336402;
  CHECK(csum::pseudo4(s, d, 17, 12) == (0xc000u + 0x0201 + 0xc633 + 0x6402 + 17 + 12));
  const V6 s6 = *parse_v6("::1"), d6 = *parse_v6("::2");
  CHECK(csum::pseudo6(s6, d6, 58, 0x10020) == 1u + 2 + 1 + 0x20 + 58);
}
