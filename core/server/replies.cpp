#include "core/server/replies.h"

#include "core/dns/builder.h"
#include "core/dns/reply.h"
#include "core/dns/types.h"

namespace coredns::server {
namespace {

using dns::Header;

// FORMERR/NOTIMP from the header checks: TC, RD, RA, AD, CD copied, Z and AA cleared. The
// question, when one was decoded, is written anew: copied verbatim, a compression pointer in it
// would read the reply's header instead of the query's.
std::vector<uint8_t> header_reject(const Header& q, uint8_t opcode, uint16_t rcode,
                                   const dns::MessageView* decoded) {
  Header h;
  h.id = q.id;
  h.flags = q.flags & (Header::TC | Header::RD | Header::RA | Header::AD | Header::CD);
  h.set(Header::QR);
  h.set_opcode(opcode);
  h.set_rcode(rcode);
  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, h);
  if (decoded) b.add_question_from(*decoded);
  b.finish();
  return out;
}

}  // namespace

Precheck precheck_query(std::span<const uint8_t> raw, dns::MessageView& view,
                        std::vector<uint8_t>& reply) {
  if (raw.size() < dns::kHeaderSize) return Precheck::drop;
  Header h = Header::read(raw.data());
  if (h.has(Header::QR)) return Precheck::drop;
  const uint8_t op = h.opcode();
  if (op != dns::opcode::QUERY && op != dns::opcode::NOTIFY) {
    reply = header_reject(h, op, dns::rcode::NOTIMP, nullptr);
    return Precheck::reply_ready;
  }
  if (h.qdcount != 1 || h.ancount > 1 || h.nscount > 1 || h.arcount > 2) {
    reply = header_reject(h, dns::opcode::QUERY, dns::rcode::FORMERR, nullptr);
    return Precheck::reply_ready;
  }
  if (view.parse(raw) != dns::MessageView::Error::none) {
    // A header that promises a question the packet does not hold is SERVFAIL with no question
    // (miekg/dns decodes it as an empty question); any other decode failure is FORMERR with
    // whatever questions decoded.
    if (raw.size() == dns::kHeaderSize) {
      Header r;
      r.id = h.id;
      r.flags = h.flags & (Header::RD | Header::CD);
      r.set(Header::QR);
      r.set_opcode(op);
      r.set_rcode(dns::rcode::SERVFAIL);
      reply.assign(dns::kHeaderSize, 0);
      r.write(reply.data());
      return Precheck::reply_ready;
    }
    reply = header_reject(h, dns::opcode::QUERY, dns::rcode::FORMERR,
                          view.questions_decoded() ? &view : nullptr);
    return Precheck::reply_ready;
  }
  return Precheck::accept;
}

std::vector<uint8_t> badvers_reply(const dns::MessageView& query) {
  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, dns::reply_header(query));
  b.add_question_from(query);
  b.add_opt(0, 1, 0, 0, {});
  b.finish();
  return out;
}

}  // namespace coredns::server

