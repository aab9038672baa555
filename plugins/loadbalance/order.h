#pragma once
// How loadbalance reorders the records of one section of a reply (CoreDNS's round_robin,
// prefer and weighted policies). The functions reorder RecordViews of a parsed message; the
// handler then writes the message again in the new order.
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "core/dns/message.h"
#include "core/plugin/cidr.h"

namespace coredns::plugins::loadbalance {

using Records = std::vector<dns::RecordView>;
// A random number in [0, n).
using Random = std::function<uint32_t(uint32_t n)>;

// round_robin: one record stays; an all-A or all-AAAA section is shuffled; a mixed one becomes
// its CNAMEs, the other records, the shuffled addresses, the shuffled MX (each group keeping
// its order otherwise).
void round_robin(Records& rrs, const Random& rnd);

// prefer: CNAMEs, then the addresses inside the first CIDR, the second, ..., then the other
// addresses, then MX, then the rest; every group keeps its current order.
void prefer(Records& rrs, std::span<const uint8_t> msg, const CidrList& cidrs);

// weighted: `weight(rr)` of each address record (1..255); one address drawn in proportion to
// the weights is moved to the front of the addresses (swapped with the first). The section
// becomes CNAMEs, the rest, the addresses, MX. Unchanged when it has no address.
void weighted(Records& rrs, const std::function<uint32_t(const dns::RecordView&)>& weight,
              const Random& rnd);

}  // namespace coredns::plugins::loadbalance
