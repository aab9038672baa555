#pragma once
// SHA-512 (FIPS 180-4), our own so the reload fingerprint needs no crypto library.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace coredns {

class Sha512 {
 public:
  using Digest = std::array<std::uint8_t, 64>;

  Sha512();
  void update(std::string_view data);
  Digest finish();  // the object must not be updated afterwards

 private:
  void compress(const std::uint8_t* block);

  std::array<std::uint64_t, 8> state_;
  std::array<std::uint8_t, 128> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;  // messages beyond 2^64 bytes are not a concern here
};

Sha512::Digest sha512(std::string_view data);
std::string sha512_hex(std::string_view data);  // lower-case hex, 128 characters

}  // namespace coredns
