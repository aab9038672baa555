#pragma once
// RFC 6147 §5.1 on wire messages: judging the AAAA reply, and assembling the synthesized reply
// from the A reply. Pure functions over parsed views; the only buffer written is the output.
#include <cstdint>
#include <vector>

#include "core/dns/header.h"
#include "core/dns/message.h"
#include "plugins/dns64/cidr.h"
#include "plugins/dns64/prefix.h"

namespace coredns::plugins::dns64 {

// RFC 6147 §5.1.7: the TTL bound when the negative AAAA answer carries no SOA.
inline constexpr uint32_t kTtlWithoutSoa = 600;

enum class AaaaVerdict {
  name_error,      // NXDOMAIN: returned as it is (§5.1.2)
  answer,          // AAAA records, none excluded: returned as it is (§5.1.1)
  answer_excluded, // AAAA records, some excluded: returned without those (§5.1.4)
  synthesize,      // no usable AAAA (NODATA, another rcode, only excluded AAAA): look up A
};
AaaaVerdict judge_aaaa(const dns::MessageView& reply, const CidrList& exclude);

// `reply` without its AAAA records in `exclude`, nor the RRSIGs over AAAA (they would no
// longer match the RRset).
std::vector<uint8_t> without_excluded(const dns::MessageView& reply, const CidrList& exclude);

// RFC 6147 §5.1.7: the TTL of the last SOA in the AAAA reply's authority section, else 600.
uint32_t ttl_bound(const dns::MessageView& aaaa_reply);

// Which A records become AAAA records.
struct Embedding {
  const Prefix64& prefix;
  bool skip_non_global;  // RFC 6052 §3.1, for the Well-Known Prefix
  bool usable(const uint8_t* v4) const { return !skip_non_global || is_global_ipv4(v4); }
};

// Number of A records in the answer section that `e` would translate.
int usable_a_records(const dns::MessageView& a_reply, const Embedding& e);

// The header of a reply dns64 builds for `query`: dns::reply_header with RA, as any recursive
// answer (RFC 6147 §5.4); AA and AD clear (synthesized data is neither authoritative nor
// validated, §5.5; `assemble` gives AD back to a reply with nothing synthesized).
dns::Header recursive_reply_header(const dns::MessageView& query);
// The header of a reply dns64 builds for `query` from the reply to its own lookup:
// recursive_reply_header with the lookup's TC and rcode.
dns::Header lookup_reply_header(const dns::MessageView& query, const dns::MessageView& lookup);

struct Assembled {
  uint16_t rcode;
  int synthesized;  // AAAA records made from A records
};

// The reply to the client's AAAA `query` built from the A lookup's reply (RFC 6147 §5.1.6-§5.4):
// the client's question; the A reply's rcode and TC; its answer section with each usable A
// record turned into an AAAA record of TTL min(A TTL, ttl_bound), unusable A records and the
// RRSIGs over A dropped, anything else (the CNAME chain) copied; its authority and additional
// sections copied; AD as the A reply's when no record was synthesized. `out` is overwritten and may be a buffer the caller no longer needs.
Assembled assemble(std::vector<uint8_t>& out, const dns::MessageView& query,
                   const dns::MessageView& a_reply, uint32_t ttl_bound, const Embedding& e);

}  // namespace coredns::plugins::dns64
