// One frame as read from the TUN in, the frames to write back out. A frame is the 4-byte
// packet-information header (Tayga's framing), then, with offloads on, the virtio-net header,
// then the IP packet. GSO super-packets the translator hands back are cut here (gso_segment.h)
// and their segments translated one by one. No I/O: the caller reads and writes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "nat64/translator.h"
#include "nat64/virtio_net.h"

namespace nat64 {

class FrameSink {
 public:
  virtual ~FrameSink() = default;
  // Packets to write; valid until the call returns. frame_header() gives each one's header.
  virtual void send(std::span<const OutPacket> out) = 0;
};

class FrameTranslator {
 public:
  // Packet information (flags, ethertype) before every packet.
  static constexpr size_t kPiSize = 4;
  // The largest frame: headers and an IPv6 packet with a 65535-byte payload. A read that fills a
  // buffer of this size (plus the headers) was cut short.
  static constexpr size_t kMaxPacket = 40 + 65535;

  // `vnet_hdr`: frames carry a virtio-net header (IFF_VNET_HDR), its fields little-endian when
  // `vnet_le` (TUNSETVNETLE) and in the CPU's order otherwise.
  FrameTranslator(Translator& tr, bool vnet_hdr, bool vnet_le = true);

  size_t header_size() const { return kPiSize + (vnet_ ? vnet::kSize : 0); }
  // Translates the frame `len` bytes long that was read into a buffer of `buf_size` bytes.
  void handle(uint8_t* frame, size_t len, size_t buf_size, int64_t now_ms, FrameSink& sink);
  // Writes the frame header for `p` (header_size() bytes) into `out`.
  void frame_header(const OutPacket& p, uint8_t* out) const;

  Translator& translator() { return tr_; }

 private:
  class Segments;

  Translator& tr_;
  bool vnet_, le_;
  std::unique_ptr<uint8_t[]> segment_buf_;  // one segment at a time
};

}  // namespace nat64
