#include "plugins/any/any.h"

#include <string_view>

#include "core/dns/builder.h"
#include "core/dns/reply.h"
#include "core/dns/types.h"

namespace coredns::plugins::any {
namespace {

constexpr std::string_view kCpu = "ANY obsoleted";
constexpr std::string_view kOs = "See RFC 8482";
constexpr uint32_t kTtl = 8482;

}  // namespace

std::vector<uint8_t> build_reply(const Request& req) {
  std::vector<uint8_t> rdata;
  for (std::string_view s : {kCpu, kOs}) {
    rdata.push_back(static_cast<uint8_t>(s.size()));
    rdata.insert(rdata.end(), s.begin(), s.end());
  }
  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, dns::reply_header(req.msg()));
  b.add_question_from(req.msg());
  // Class IN whatever the query's, as CoreDNS.
  b.add_record(dns::Section::answer, req.qname(), dns::type::HINFO, dns::cls::IN, kTtl, rdata);
  b.finish();
  return out;
}

Task<Response> Any::serve(Request& req, Next next) {
  if (req.qtype() != dns::type::ANY) co_return co_await next(req);
  co_return Response::reply(build_reply(req), dns::rcode::NOERROR, name());
}

}  // namespace coredns::plugins::any
