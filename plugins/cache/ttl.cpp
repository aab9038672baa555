#include "plugins/cache/ttl.h"

#include <algorithm>

#include "core/dns/types.h"

namespace coredns::plugins::cache {

uint32_t record_ttl(const dns::MessageView& reply, const dns::RecordView& rr, bool soa_minimum) {
  // MINIMUM is the last of the SOA's fixed fields, after the two (possibly compressed) names.
  if (!soa_minimum || rr.type != dns::type::SOA || rr.rdlength < 22) return rr.ttl;
  return std::min(rr.ttl, dns::load32(reply.bytes().data() + rr.end() - 4));
}

int64_t smallest_ttl(const dns::MessageView& reply, int64_t max, bool soa_minimum) {
  int64_t smallest = max;
  bool any = false;
  for (int s = 0; s < 3; ++s) {
    for (const dns::RecordView& rr : reply.records(static_cast<dns::Section>(s))) {
      if (rr.type == dns::type::OPT) continue;
      any = true;
      smallest = std::min<int64_t>(smallest, record_ttl(reply, rr, soa_minimum));
    }
  }
  return any ? smallest : kDefaultTtl;
}

}  // namespace coredns::plugins::cache
