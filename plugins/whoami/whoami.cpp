#include "plugins/whoami/whoami.h"

#include <netinet/in.h>

#include "core/dns/builder.h"
#include "core/dns/reply.h"

namespace coredns::plugins::whoami {

std::vector<uint8_t> build_reply(const Request& req) {
  dns::Header h = dns::reply_header(req.msg());
  h.set(dns::Header::AA);
  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, h);
  b.add_question(req.qname(), req.qtype(), req.qclass());

  const Endpoint& client = req.remote();
  if (client.is_ipv4()) {
    const auto* s4 = reinterpret_cast<const sockaddr_in*>(&client.addr);
    b.add_record(dns::Section::additional, req.qname(), dns::type::A, req.qclass(), 0,
                 {reinterpret_cast<const uint8_t*>(&s4->sin_addr), 4});
  } else {
    const auto* s6 = reinterpret_cast<const sockaddr_in6*>(&client.addr);
    b.add_record(dns::Section::additional, req.qname(), dns::type::AAAA, req.qclass(), 0,
                 {s6->sin6_addr.s6_addr, 16});
  }
  dns::Name srv_owner = req.qname();
  srv_owner.prepend_label(req.tcp() ? "_tcp" : "_udp");
  uint8_t srv[7] = {0, 0, 0, 0, 0, 0, 0};  // priority 0, weight 0, port, target "."
  dns::store16(srv + 4, client.port());
  b.add_record(dns::Section::additional, srv_owner, dns::type::SRV, req.qclass(), 0, srv);
  b.finish();
  return out;
}

Task<Response> Whoami::serve(Request& req, Next) {
  co_return Response::reply(build_reply(req), dns::rcode::NOERROR);
}

}  // namespace coredns::plugins::whoami
