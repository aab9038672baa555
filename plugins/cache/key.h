#pragma once
// The cache key (CoreDNS's plugin/cache/cache.go, hash): the DO and CD bits, QTYPE, QCLASS and the
// lower-cased name, hashed. AD, RD, the opcode and EDNS options are not part of it.
#include <cstdint>

#include "core/dns/name.h"

namespace coredns::plugins::cache {

struct Key {
  uint64_t hash = 0;
  uint16_t qtype = 0;
  uint16_t qclass = 0;
  bool do_bit = false;
  bool cd_bit = false;
};

// FNV-1a over the key fields, then a finaliser: the low 8 bits pick the shard and the bits above
// them the slot within it, so every bit must be well mixed.
inline Key make_key(const dns::Name& lowered, uint16_t qtype, uint16_t qclass, bool do_bit,
                    bool cd_bit) {
  uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&h](uint8_t b) {
    h ^= b;
    h *= 0x100000001b3ULL;
  };
  mix(static_cast<uint8_t>(do_bit));
  mix(static_cast<uint8_t>(cd_bit));
  mix(static_cast<uint8_t>(qtype >> 8));
  mix(static_cast<uint8_t>(qtype));
  mix(static_cast<uint8_t>(qclass >> 8));
  mix(static_cast<uint8_t>(qclass));
  for (uint8_t b : lowered.wire()) mix(b);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return {h, qtype, qclass, do_bit, cd_bit};
}

}  // namespace coredns::plugins::cache
