#pragma once
// Replies the server writes itself, before or instead of the plugin chain (spec §2.2-2.5).
#include <cstdint>
#include <span>
#include <vector>

#include "core/dns/message.h"

namespace coredns::server {

// The outcome of the checks a raw query passes before any plugin runs (spec §2.2).
enum class Precheck {
  accept,       // a single question, parseable: hand to the chain
  drop,         // shorter than a header, or a response: no reply
  reply_ready,  // `reply` holds the NOTIMP/FORMERR/SERVFAIL answer
};

// Classifies a raw datagram or TCP frame. On reply_ready `reply` is filled.
Precheck precheck_query(std::span<const uint8_t> raw, dns::MessageView& view,
                        std::vector<uint8_t>& reply);

// The minimal reply the core writes for an rcode when nothing else was written (§2.5): ID,
// opcode, RD and CD copied (RD/CD only for QUERY), RA=0, question echoed, no records. The OPT
// is added later by the scrub step.
std::vector<uint8_t> error_reply(const dns::MessageView& query, uint16_t rcode);

// BADVERS for a query whose OPT version is not 0 (§2.3 step 4): not scrubbed.
std::vector<uint8_t> badvers_reply(const dns::MessageView& query);

}  // namespace coredns::server
