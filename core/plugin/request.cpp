#include "core/plugin/request.h"

#include <arpa/inet.h>

#include <cstring>

#include "core/dns/buffers.h"
#include "core/dns/builder.h"
#include "core/dns/scrub.h"

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
                 const Endpoint& local, const Lookup* server)
    : bytes_(dns::take_buffer()),
      transport_(transport),
      remote_(remote),
      local_(local),
      server_(server) {
  bytes_.assign(bytes.begin(), bytes.end());
  msg_.parse(bytes_);
  init_names();
}

Request::Request(const dns::MessageView& parsed, Transport transport, const Endpoint& remote,
                 const Endpoint& local, const Lookup* server)
    : bytes_(dns::take_buffer()),
      msg_(parsed),
      transport_(transport),
      remote_(remote),
      local_(local),
      server_(server) {
  bytes_.assign(parsed.bytes().begin(), parsed.bytes().end());
  msg_.rebase(bytes_);
  init_names();
}

Request::~Request() { dns::give_back(std::move(bytes_)); }

void Request::init_names() {
  if (msg_.has_question()) {
    const dns::Question& q = msg_.question();
    qname_.assign_checked(msg_.bytes().subspan(q.name_offset, q.name_length));
  }
  qname_lower_.set_lowered(qname_);
}

std::unique_ptr<Request> Request::derive(const dns::Name& qname, uint16_t qtype) const {
  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, msg_.header());
  b.add_question(qname, qtype, qclass());
  if (const dns::OptView* opt = msg_.opt())
    b.add_opt(opt->udp_size, opt->ext_rcode, opt->version, opt->flags, opt->options);
  b.finish();
  auto r = std::make_unique<Request>(out, transport_, remote_, local_, server_);
  r->depth_ = depth_ + 1;
  r->keeper_ = keeper_;
  return r;
}

std::unique_ptr<Request> Request::with_flags(uint16_t flags) const {
  // A copy of this parse (MessageView::rebase), then one parse again for the header the view
  // keeps: the flags change no offset.
  auto r = std::make_unique<Request>(msg_, transport_, remote_, local_, server_);
  dns::Header h = r->msg_.header();
  h.set(flags);
  h.write(r->bytes_.data());
  r->msg_.parse(r->bytes_);
  r->depth_ = depth_;
  r->keeper_ = keeper_;
  return r;
}

async::Task<Response> Request::lookup(const dns::Name& qname, uint16_t qtype) const {
  if (!server_) co_return Response::unwritten(dns::rcode::SERVFAIL, "lookup: no server");
  if (!may_lookup())
    co_return Response::unwritten(dns::rcode::SERVFAIL, "lookup: too many nested lookups");
  auto sub = derive(qname, qtype);
  co_return co_await server_->serve(*sub);
}

const std::string& Request::server_key() const {
  static const std::string none;
  return server_ ? server_->key() : none;
}

uint16_t Request::size_limit() const { return dns::reply_size_limit(msg_, tcp()); }

}  // namespace coredns
