#include "plugins/cache/answers.h"

#include "core/dns/types.h"

namespace coredns::plugins::cache {

bool answers_question(const dns::MessageView& reply, const dns::Name& qname, uint16_t qtype,
                      uint16_t qclass) {
  const auto msg = reply.bytes();
  const auto answer = reply.records(dns::Section::answer);
  if (qtype == dns::type::ANY) {
    for (const dns::RecordView& rr : answer)
      if (rr.rclass == qclass && dns::name_equals_ci(msg, rr.offset, qname)) return true;
    return false;
  }
  dns::Name at = qname;
  // Each step moves to a new owner, so a chain longer than the section is a loop.
  for (int step = 0; step <= answer.size(); ++step) {
    dns::Name target;
    int targets = 0;  // distinct CNAME targets at `at`: 0, 1, or 2 for "several"
    bool has_type = false;
    for (const dns::RecordView& rr : answer) {
      if (!dns::name_equals_ci(msg, rr.offset, at)) continue;
      if (rr.type == dns::type::CNAME) {
        dns::Name t;
        if (dns::read_name(msg.first(rr.end()), rr.rdata_offset, &t) == dns::kBadOffset)
          return false;
        if (targets == 0) {
          target = t;
          targets = 1;
        } else if (!t.equals_ci(target)) {
          targets = 2;
        }
      } else if (rr.type == qtype && rr.rclass == qclass) {
        has_type = true;
      }
    }
    if (qtype == dns::type::CNAME) return targets == 1;
    if (targets == 2) return false;
    if (targets == 0) return has_type;
    at = target;
  }
  return false;
}

}  // namespace coredns::plugins::cache
