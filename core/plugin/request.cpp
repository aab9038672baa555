#include "core/plugin/request.h"

#include <arpa/inet.h>

#include <cstring>

#include "core/dns/scrub.h"
#include "core/dns/types.h"

namespace coredns {

Endpoint Endpoint::from(const sockaddr* sa) {
  Endpoint e;
  if (!sa) return e;
  if (sa->sa_family == AF_INET6) {
    const auto* s6 = reinterpret_cast<const sockaddr_in6*>(sa);
    if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
      auto* s4 = reinterpret_cast<sockaddr_in*>(&e.addr);
      s4->sin_family = AF_INET;
      s4->sin_port = s6->sin6_port;
      std::memcpy(&s4->sin_addr, &s6->sin6_addr.s6_addr[12], 4);
      return e;
    }
    std::memcpy(&e.addr, s6, sizeof(sockaddr_in6));
  } else if (sa->sa_family == AF_INET) {
    std::memcpy(&e.addr, sa, sizeof(sockaddr_in));
  }
  return e;
}

std::string Endpoint::ip() const {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (family() == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&addr)->sin_addr, buf, sizeof buf);
  else if (family() == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_addr, buf, sizeof buf);
  return buf;
}

std::string Endpoint::ip_bracketed() const {
  return family() == AF_INET6 ? "[" + ip() + "]" : ip();
}

uint16_t Endpoint::port() const {
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
  if (family() == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
  return 0;
}

socklen_t Endpoint::len() const {
  return family() == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
}

Request::Request(std::span<const uint8_t> bytes, Transport transport, const Endpoint& remote,
                 const Endpoint& local, const Server* server)
    : bytes_(bytes.begin(), bytes.end()),
      transport_(transport),
      remote_(remote),
      local_(local),
      server_(server) {
  init_from_bytes();
}

void Request::init_from_bytes() {
  msg_.parse(bytes_);
  qname_ = msg_.question_name();
  qname_lower_ = qname_.lowered();
}

std::unique_ptr<Request> Request::derive(const dns::Name& qname, uint16_t qtype) const {
  // Written straight into the new request's own buffer, sized once: this runs for every answer
  // dns64 synthesizes, cache hits included, and a builder's growing buffer plus a copy of the
  // finished message cost several allocations each time. The bytes are the ones MessageBuilder
  // would write: a lone question is never compressed, and the OPT is the only additional record.
  const dns::OptView* opt = msg_.opt();
  const size_t size =
      dns::kHeaderSize + qname.size() + 4 + (opt ? 11 + opt->options.size() : 0);
  std::vector<uint8_t> out(size);
  dns::Header h = msg_.header();
  h.qdcount = 1;
  h.ancount = h.nscount = 0;
  h.arcount = opt ? 1 : 0;
  h.write(out.data());
  uint8_t* p = out.data() + dns::kHeaderSize;
  std::memcpy(p, qname.data(), qname.size());
  p += qname.size();
  dns::store16(p, qtype);
  dns::store16(p + 2, qclass());
  p += 4;
  if (opt) {
    p[0] = 0;  // root owner
    dns::store16(p + 1, dns::type::OPT);
    dns::store16(p + 3, opt->udp_size);
    dns::store32(p + 5, (uint32_t{opt->ext_rcode} << 24) | (uint32_t{opt->version} << 16) |
                            opt->flags);
    dns::store16(p + 9, static_cast<uint16_t>(opt->options.size()));
    if (!opt->options.empty()) std::memcpy(p + 11, opt->options.data(), opt->options.size());
  }
  // Constructed empty, then handed the buffer: the constructor would copy it.
  auto r = std::make_unique<Request>(std::span<const uint8_t>{}, transport_, remote_, local_,
                                     server_);
  r->bytes_ = std::move(out);
  r->msg_.parse(r->bytes_);
  r->qname_ = qname;
  r->qname_lower_ = qname.lowered();
  r->depth_ = depth_ + 1;
  r->keeper_ = keeper_;
  return r;
}

std::unique_ptr<Request> Request::with_flags(uint16_t flags) const {
  auto r = std::make_unique<Request>(msg_.bytes(), transport_, remote_, local_, server_);
  dns::Header h = r->msg_.header();
  h.set(flags);
  h.write(r->bytes_.data());
  r->msg_.parse(r->bytes_);
  r->depth_ = depth_;
  r->keeper_ = keeper_;
  return r;
}

uint16_t Request::size_limit() const { return dns::reply_size_limit(msg_, tcp()); }

}  // namespace coredns
