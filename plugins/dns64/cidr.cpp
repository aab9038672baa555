#include "plugins/dns64/cidr.h"

namespace coredns::plugins::dns64 {

bool is_global_ipv4(const uint8_t* v4) {
  // Per query and per A record: a switch on the first octet rather than a walk over the ranges.
  const uint8_t a = v4[0], b = v4[1], c = v4[2];
  switch (a) {
    case 0:
    case 10:
    case 127:
      return false;
    case 100:
      return b < 64 || b > 127;  // 100.64/10
    case 169:
      return b != 254;
    case 172:
      return b < 16 || b > 31;  // 172.16/12
    case 192:
      return !(b == 168 || (b == 0 && (c == 0 || c == 2)));
    case 198:
      return !(b == 18 || b == 19 || (b == 51 && c == 100));
    case 203:
      return !(b == 0 && c == 113);
    default:
      return a < 224;  // 224/4 multicast, 240/4 reserved
  }
}

}  // namespace coredns::plugins::dns64
