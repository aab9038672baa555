#include "core/dns/buffers.h"

#include <cstddef>
#include <utility>

namespace coredns::dns {
namespace {

// A UDP batch is 32 datagrams, each with its query and its reply in flight.
constexpr size_t kMaxKept = 64;
// Larger buffers (TCP replies, zone transfers) go back to the allocator rather than pin memory.
constexpr size_t kMaxCapacity = 4096;

struct Spares {
  std::vector<uint8_t> kept[kMaxKept];
  size_t count = 0;
};

Spares& spares() {
  thread_local Spares s;
  return s;
}

}  // namespace

std::vector<uint8_t> take_buffer() {
  Spares& s = spares();
  if (s.count == 0) return {};
  std::vector<uint8_t> v = std::move(s.kept[--s.count]);
  v.clear();
  return v;
}

void give_back(std::vector<uint8_t>&& v) {
  if (v.capacity() == 0 || v.capacity() > kMaxCapacity) return;
  Spares& s = spares();
  if (s.count == kMaxKept) return;
  s.kept[s.count++] = std::move(v);
}

}  // namespace coredns::dns
