#pragma once
// Message buffers recycled on one thread. A reply is written into a vector, handed to the
// endpoint, sent, and freed, and each query's bytes are copied into one: a malloc and a free per
// query for each. Buffers given back after use are taken again by the next query on the same
// thread, so a warm serving path does not allocate for them.
#include <cstdint>
#include <vector>

namespace coredns::dns {

// An empty vector with the storage of one given back earlier on this thread, when there is one.
std::vector<uint8_t> take_buffer();

// Keeps `v`'s storage for take_buffer; beyond a bound on count and size it is freed instead.
void give_back(std::vector<uint8_t>&& v);

}  // namespace coredns::dns
