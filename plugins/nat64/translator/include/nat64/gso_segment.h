// Software segmentation of a GSO super-packet into the packets the kernel would have cut, each
// with complete checksums. The translator translates most super-packets whole; the rest (those
// that need ICMP errors, IPv6 fragments or hairpinning) are cut here and translated one by one,
// so every rule of the packet-by-packet translator still holds for them.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nat64/virtio_net.h"

namespace nat64 {

class SegmentSink {
 public:
  virtual ~SegmentSink() = default;
  // One segment, valid until the call returns (the next one is built in the same buffer).
  virtual void segment(uint8_t* pkt, size_t len) = 0;
};

// Cuts the TCP or UDP super-packet `pkt` (IPv4 or IPv6) into segments of `vnet.gso_size`
// payload bytes, built one at a time in `buf`. Returns false, without calling the sink, when it
// is not a GSO packet this can cut (not TCP/UDP, a fragment, malformed, too big for `buf`).
bool gso_segment(uint8_t* pkt, size_t len, bool ipv6, const VnetHdr& vnet, uint8_t* buf, size_t buf_size,
                 SegmentSink& sink);

}  // namespace nat64
