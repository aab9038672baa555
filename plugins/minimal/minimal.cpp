#include "plugins/minimal/minimal.h"

#include <ctime>

#include "core/dns/message.h"
#include "core/dns/response_type.h"

namespace coredns::plugins::minimal {

void minimize(std::vector<uint8_t>& reply) {
  dns::MessageView v;
  if (v.parse(reply) != dns::MessageView::Error::none) return;
  if (dns::typify(v, std::time(nullptr)) != dns::ResponseType::no_error) return;
  if (v.header().nscount == 0 && v.header().arcount == 0) return;
  // Compression pointers only point backwards: cutting after the answer keeps it valid.
  const size_t end = v.section_offset(dns::Section::authority);
  dns::Header h = v.header();
  h.nscount = 0;
  h.arcount = 0;
  reply.resize(end);
  h.write(reply.data());
}

Task<Response> Minimal::serve(Request& req, Next next) {
  Response r = co_await next(req);
  // A failure passes as it came; a captured reply that came with an error is dropped, as in
  // CoreDNS, so the server answers the returned rcode itself.
  if (!r.error.empty()) co_return Response::unwritten(r.rcode, std::move(r.error));
  if (r.written()) minimize(r.wire);
  co_return r;
}

}  // namespace coredns::plugins::minimal
