// SHA-512 against the FIPS 180 example vectors.
#include <catch2/catch.hpp>

#include "core/util/sha512.h"

using coredns::Sha512;
using coredns::sha512_hex;

TEST_CASE("sha512: FIPS 180 vectors", "[sha512]") {
  CHECK(sha512_hex("abc") ==
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
        "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  CHECK(sha512_hex("") ==
        "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
        "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e");
  CHECK(sha512_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                   "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu") ==
        "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
        "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909");
  CHECK(sha512_hex(std::string(1'000'000, 'a')) ==
        "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
        "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b");
}

TEST_CASE("sha512: incremental updates equal one-shot hashing", "[sha512]") {
  // Lengths around the 112-byte padding limit and the 128-byte block size.
  for (const std::size_t length : {0u, 1u, 111u, 112u, 113u, 127u, 128u, 129u, 255u, 256u, 1000u}) {
    std::string message;
    for (std::size_t i = 0; i < length; ++i) message += static_cast<char>('a' + i % 26);
    for (const std::size_t split : {std::size_t{0}, length / 3, length}) {
      Sha512 hasher;
      hasher.update(std::string_view(message).substr(0, split));
      hasher.update(std::string_view(message).substr(split));
      CHECK(hasher.finish() == coredns::sha512(message));
    }
  }
}
