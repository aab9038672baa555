#include "plugins/local/local.h"

#include <algorithm>
#include <array>

#include "core/dns/builder.h"
#include "core/dns/reply.h"
#include "core/dns/types.h"
#include "core/dns/wire.h"
#include "core/util/log.h"

namespace coredns::plugins::local {
namespace {

constexpr uint32_t kTtl = 604800;

dns::Name make_name(const char* text) {
  dns::Name n;
  dns::Name::from_text(text, n);
  return n;
}

struct Names {
  dns::Name localhost = make_name("localhost.");
  dns::Name loopback_ptr = make_name("1.0.0.127.in-addr.arpa.");
  // ::1's reverse zone (RFC 6303 §4.2), which CoreDNS leaves to the next plugin.
  dns::Name loopback6 = make_name(
      "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.");
  std::array<dns::Name, 5> zones = {make_name("localhost."), make_name("0.in-addr.arpa."),
                                    make_name("127.in-addr.arpa."),
                                    make_name("255.in-addr.arpa."), loopback6};
};

const Names& names() {
  static const Names n;
  return n;
}

// `name` without its leading labels down to `labels` labels: the zone as the query spelled it.
dns::Name suffix_with_labels(const dns::Name& name, int labels) {
  dns::Name n = name;
  while (n.label_count() > labels) n = n.parent();
  return n;
}

// MNAME localhost., RNAME root.localhost., serial 1, refresh, retry and expire 0, minimum one
// week: CoreDNS's synthetic SOA.
std::vector<uint8_t> soa_rdata() {
  std::vector<uint8_t> r;
  for (const dns::Name& n : {make_name("localhost."), make_name("root.localhost.")})
    r.insert(r.end(), n.data(), n.data() + n.size());
  uint8_t fixed[20];
  const uint32_t values[5] = {1, 0, 0, 0, kTtl};
  for (int i = 0; i < 5; ++i) dns::store32(fixed + 4 * i, values[i]);
  r.insert(r.end(), fixed, fixed + sizeof fixed);
  return r;
}

class Reply {
 public:
  explicit Reply(const Request& req) : req_(req), b_(out_, dns::reply_header(req.msg())) {
    b_.add_question_from(req.msg());
  }
  Reply& a() {
    const uint8_t ip[4] = {127, 0, 0, 1};
    b_.add_record(dns::Section::answer, req_.qname(), dns::type::A, dns::cls::IN, kTtl, ip);
    return *this;
  }
  Reply& aaaa() {
    uint8_t ip[16] = {};
    ip[15] = 1;
    b_.add_record(dns::Section::answer, req_.qname(), dns::type::AAAA, dns::cls::IN, kTtl, ip);
    return *this;
  }
  Reply& name_record(uint16_t type) {
    b_.add_name_record(dns::Section::answer, req_.qname(), type, dns::cls::IN, kTtl,
                       names().localhost);
    return *this;
  }
  Reply& soa(dns::Section s, const dns::Name& owner) {
    static const std::vector<uint8_t> rdata = soa_rdata();
    b_.add_record(s, owner, dns::type::SOA, dns::cls::IN, kTtl, rdata);
    return *this;
  }
  Reply& rcode(uint16_t rc) {
    b_.header().set_rcode(rc);
    return *this;
  }
  std::vector<uint8_t> done() {
    b_.finish();
    return std::move(out_);
  }

 private:
  const Request& req_;
  std::vector<uint8_t> out_;
  dns::MessageBuilder b_;
};

// "localhost." as the first label, or ".localhost." as the last, of a longer name.
bool is_localhost_name(const dns::Name& lower, bool prefix) {
  const dns::Name& lh = names().localhost;
  if (lower.label_count() <= 1) return false;
  if (suffix_with_labels(lower, 1) == lh) return true;
  if (!prefix) return false;
  const uint8_t* d = lower.data();
  return d[0] == 9 && std::equal(d + 1, d + 10, lh.data() + 1);
}

}  // namespace

Local::Local(bool prefix)
    : prefix_(prefix),
      localhost_requests_(metrics::Registry::global()
                              .counter("coredns_local_localhost_requests_total",
                                       "Counter of localhost.<domain> requests.", {})
                              .with({})) {}

std::vector<uint8_t> Local::answer(const Request& req) const {
  const dns::Name& lower = req.qname_lower();
  const uint16_t qtype = req.qtype();
  if (is_localhost_name(lower, prefix_)) {
    Reply r(req);
    if (qtype == dns::type::A) return r.a().done();
    if (qtype == dns::type::AAAA) return r.aaaa().done();
    return r.soa(dns::Section::authority, req.qname()).done();
  }
  const dns::Name* zone = nullptr;
  for (const dns::Name& z : names().zones)
    if (lower.is_subdomain_of(z)) zone = &z;
  if (!zone) return {};

  Reply r(req);
  if (lower == *zone) {
    if (lower == names().localhost && qtype == dns::type::A) return r.a().done();
    if (lower == names().localhost && qtype == dns::type::AAAA) return r.aaaa().done();
    if (qtype == dns::type::SOA) return r.soa(dns::Section::answer, req.qname()).done();
    if (qtype == dns::type::NS) return r.name_record(dns::type::NS).done();
    if (lower == names().loopback6 && qtype == dns::type::PTR)
      return r.name_record(dns::type::PTR).done();
    return r.soa(dns::Section::authority, req.qname()).done();
  }
  const dns::Name zone_as_sent = suffix_with_labels(req.qname(), zone->label_count());
  if (lower == names().loopback_ptr) {
    if (qtype == dns::type::PTR) return r.name_record(dns::type::PTR).done();
    return r.soa(dns::Section::authority, zone_as_sent).done();
  }
  return r.rcode(dns::rcode::NXDOMAIN).soa(dns::Section::authority, zone_as_sent).done();
}

Task<Response> Local::serve(Request& req, Next next) {
  auto reply = answer(req);
  if (reply.empty()) co_return co_await next(req);
  if (is_localhost_name(req.qname_lower(), prefix_)) {
    localhost_requests_.inc();
    if (log::debug_enabled())
      log::plugin_logger("local").debug("Intercepting localhost query for \"" + req.name() +
                                        "\" " + dns::type_name(req.qtype()) + ", from " +
                                        req.remote().ip());
  }
  const uint16_t rcode = dns::Header::read(reply.data()).rcode();
  co_return Response::reply(std::move(reply), rcode, name());
}

}  // namespace coredns::plugins::local
