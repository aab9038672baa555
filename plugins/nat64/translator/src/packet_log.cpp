#include "nat64/packet_log.h"

#include "nat64/log.h"

namespace nat64 {

std::string format_packet_line(std::string_view kind, bool ipv6, const uint8_t* pkt, size_t len,
                               std::string_view reason) {
  char src[64] = "?", dst[64] = "?";
  unsigned proto = 0;
  if (!ipv6 && len >= 20) {
    format_v4_to(src, load32(pkt + 12));
    format_v4_to(dst, load32(pkt + 16));
    proto = pkt[9];
  } else if (ipv6 && len >= 40) {
    format_v6_to(src, load_v6(pkt + 8));
    format_v6_to(dst, load_v6(pkt + 24));
    proto = pkt[6];
  }
  return fmt::format("{}: [{}] [{}]->[{}] ({} bytes) (proto {}) {}", kind, ipv6 ? "v6" : "v4", src, dst, len, proto,
                     reason);
}

void SyslogPacketLogger::packet(std::string_view kind, bool ipv6, const uint8_t* pkt, size_t len,
                                std::string_view reason) {
  log_msg(LOG_INFO, format_packet_line(kind, ipv6, pkt, len, reason));
}

void SyslogPacketLogger::pool(PoolEvent ev, V4 v4, const V6& v6) {
  log_msg(LOG_INFO, fmt::format("DYN: {} {} <-> {}", pool_event_name(ev), format_v4(v4), format_v6(v6)));
}

}  // namespace nat64
