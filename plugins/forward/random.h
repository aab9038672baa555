#pragma once
// Randomness for the query path. Upstream query IDs must be unpredictable (RFC 5452 §9.2), so
// they come from the kernel's CSPRNG, read in blocks so that a query costs no system call.
// Upstream ordering only needs to be fair, so it uses a cheap per-thread generator.
#include <cstdint>

namespace coredns::plugins::forward {

uint16_t secure_random_u16();
// A random ID that no exchange in `in_flight` (keyed by ID) uses.
template <typename Map>
uint16_t fresh_id(const Map& in_flight) {
  uint16_t id;
  do {
    id = secure_random_u16();
  } while (in_flight.count(id));
  return id;
}
// Uniform in [0, n), n > 0.
uint32_t fast_random_below(uint32_t n);

}  // namespace coredns::plugins::forward
