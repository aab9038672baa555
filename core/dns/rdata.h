#pragma once
// Where the domain names sit inside RDATA, for the types whose names may be compressed
// (RFC 1035 types, and the later ones some servers compress: RFC 3597 §4).
#include <cstdint>
#include <span>

#include "core/dns/name.h"

namespace coredns::dns {

// Layout of a compressible RDATA: `lead` fixed bytes, then `names` names, then fixed bytes.
struct RdataNames {
  uint8_t lead = 0;
  uint8_t names = 0;
};

// Returns {0, 0} for types with no compressible names.
RdataNames rdata_names(uint16_t type);

// True when a writer may compress the names of this type (RFC 3597 §4: only the RFC 1035 types).
bool rdata_names_compressible_on_write(uint16_t type);

}  // namespace coredns::dns
