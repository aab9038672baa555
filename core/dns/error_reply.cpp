#include "core/dns/error_reply.h"

#include "core/dns/builder.h"
#include "core/dns/reply.h"
#include "core/dns/types.h"

namespace coredns::dns {

std::vector<uint8_t> error_reply(const MessageView& query, uint16_t rcode) {
  Header h = reply_header(query);
  h.set_rcode(rcode);
  std::vector<uint8_t> out;
  MessageBuilder b(out, h);
  b.add_question_from(query);  // the client's name, its case kept
  b.finish();
  return out;
}

}  // namespace coredns::dns
