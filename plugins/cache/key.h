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

// The name and the key fields (dns::hash_name): the low 8 bits pick the shard and the bits
// above them the slot within it, so every bit must be well mixed.
inline Key make_key(const dns::Name& lowered, uint16_t qtype, uint16_t qclass, bool do_bit,
                    bool cd_bit) {
  const uint64_t fields = uint64_t{do_bit} << 40 | uint64_t{cd_bit} << 32 | uint64_t{qtype} << 16 |
                          qclass;
  return {dns::hash_name(fields, lowered), qtype, qclass, do_bit, cd_bit};
}

}  // namespace coredns::plugins::cache
