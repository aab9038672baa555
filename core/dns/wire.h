#pragma once
// Big-endian loads and stores on message buffers.
#include <cstddef>
#include <cstdint>

#include "core/util/byte_order.h"

namespace coredns::dns {

using util::load16;
using util::load32;
using util::store16;
using util::store32;

inline constexpr size_t kHeaderSize = 12;

}  // namespace coredns::dns
