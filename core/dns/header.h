#pragma once
#include <cstdint>

#include "core/dns/wire.h"

namespace coredns::dns {

// The 12-byte message header with named flag accessors.
struct Header {
  uint16_t id = 0;
  uint16_t flags = 0;
  uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;

  static constexpr uint16_t QR = 0x8000, AA = 0x0400, TC = 0x0200, RD = 0x0100, RA = 0x0080,
                            Z = 0x0040, AD = 0x0020, CD = 0x0010;

  static Header read(const uint8_t* p) {
    return {load16(p), load16(p + 2), load16(p + 4), load16(p + 6), load16(p + 8), load16(p + 10)};
  }
  void write(uint8_t* p) const {
    store16(p, id);
    store16(p + 2, flags);
    store16(p + 4, qdcount);
    store16(p + 6, ancount);
    store16(p + 8, nscount);
    store16(p + 10, arcount);
  }

  bool has(uint16_t flag) const { return flags & flag; }
  void set(uint16_t flag, bool on = true) {
    flags = on ? static_cast<uint16_t>(flags | flag) : static_cast<uint16_t>(flags & ~flag);
  }
  uint8_t opcode() const { return (flags >> 11) & 0xF; }
  void set_opcode(uint8_t op) {
    flags = static_cast<uint16_t>((flags & ~0x7800) | ((op & 0xF) << 11));
  }
  uint8_t rcode() const { return flags & 0xF; }
  void set_rcode(uint16_t rc) { flags = static_cast<uint16_t>((flags & ~0xF) | (rc & 0xF)); }
};

}  // namespace coredns::dns
