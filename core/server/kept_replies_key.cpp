#include "core/server/kept_replies_key.h"

#include <cstring>

namespace coredns::server {

bool KeptReplyKey::make(const dns::MessageView& query, bool client_ipv4) {
  const dns::Header& h = query.header();
  if (h.qdcount != 1 || h.ancount != 0 || h.nscount != 0 || h.arcount > 1) return false;
  if (h.arcount == 1) {
    const dns::OptView* opt = query.opt();
    if (!opt || !opt->options.empty()) return false;
  }
  const std::span<const uint8_t> bytes = query.bytes();  // trailing octets are not served
  if (1 + bytes.size() - 2 > sizeof octets) return false;
  octets[0] = client_ipv4;
  std::memcpy(octets + 1, bytes.data() + 2, bytes.size() - 2);
  const dns::Question& q = query.question();
  // The ID is left out: the name starts 10 octets into the key, after the family.
  dns::lower_octets(octets + 1 + q.name_offset - 2, octets + 1 + q.name_offset - 2, q.name_length);
  size = 1 + bytes.size() - 2;
  return true;
}

}  // namespace coredns::server
