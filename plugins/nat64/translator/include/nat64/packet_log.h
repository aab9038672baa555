// tayga.conf `log`: one line per dropped/rejected/ICMP-causing/self packet and per dynamic
// pool event, in Tayga's words.
#pragma once

#include "nat64/translator.h"

namespace nat64 {

// Formats a packet line: "DROP: [v4] [src]->[dst] (N bytes) (proto P) reason".
std::string format_packet_line(std::string_view kind, bool ipv6, const uint8_t* pkt, size_t len,
                               std::string_view reason);

class SyslogPacketLogger final : public PacketLogger {
 public:
  void packet(std::string_view kind, bool ipv6, const uint8_t* pkt, size_t len, std::string_view reason) override;
  void pool(PoolEvent ev, V4 v4, const V6& v6) override;
};

}  // namespace nat64
