#include "core/dns/reply.h"

#include <algorithm>

#include "core/dns/types.h"
#include "core/dns/wire.h"

namespace coredns::dns {

Header reply_header(const MessageView& query) {
  const Header& q = query.header();
  Header h;
  h.id = q.id;
  h.set(Header::QR);
  h.set_opcode(q.opcode());
  if (q.opcode() == opcode::QUERY) h.flags |= q.flags & (Header::RD | Header::CD);
  return h;
}

std::vector<uint8_t> ede_option(uint16_t info_code, std::string_view extra_text) {
  std::vector<uint8_t> out(6 + extra_text.size());
  store16(&out[0], edns_option::EDE);
  store16(&out[2], static_cast<uint16_t>(2 + extra_text.size()));
  store16(&out[4], info_code);
  std::copy(extra_text.begin(), extra_text.end(), out.begin() + 6);
  return out;
}

void add_reply_opt(MessageBuilder& b, const MessageView& query,
                   const std::vector<uint8_t>& options) {
  const OptView* q = query.opt();
  if (!q) return;
  // The advertised size is ours; the server's scrub replaces it with the client's anyway.
  b.add_opt(4096, 0, 0, q->flags & 0x8000, options);
}

}  // namespace coredns::dns
