#pragma once
// What kind of answer a reply is, as CoreDNS's response package judges it: the cache decides what
// to store by it, and the log plugin's `class` filter groups the types into success, denial and
// error.
#include <cstdint>

#include "core/dns/message.h"

namespace coredns::dns {

enum class ResponseType : uint8_t {
  no_error,      // an answer, or an empty NOERROR without SOA
  name_error,    // NXDOMAIN
  no_data,       // NOERROR, no answer, SOA in authority
  delegation,    // NOERROR, no answer, NS in authority
  server_error,  // SERVFAIL, NOTIMP
  other_error,   // any other rcode, NXDOMAIN with answers, expired signatures
  meta,          // NOTIFY, AXFR, IXFR
  update,        // UPDATE
};

enum class ResponseClass : uint8_t { success, denial, error };

// The full rcode: the header's four bits plus the OPT's extended bits.
uint16_t full_rcode(const MessageView& reply);

// Classifies a parsed reply. `now_unix` is the time RRSIG validity is judged at (only looked at
// when the reply's OPT has DO set and carries signatures).
ResponseType typify(const MessageView& reply, int64_t now_unix);

ResponseClass classify(ResponseType t);

// Whether an RRSIG's inception/expiration pair covers `now_unix`, in RFC 1982 serial arithmetic
// (RFC 4034 §3.1.5), so the 32-bit fields keep working after 2106.
bool rrsig_valid_at(uint32_t inception, uint32_t expiration, int64_t now_unix);

}  // namespace coredns::dns
