#pragma once
// Replies the server writes itself before the plugin chain: CoreDNS's pre-dispatch checks
// (core/dnsserver/server.go) and BADVERS (RFC 6891 §6.1.3). The error reply for an unwritten
// rcode is dns::error_reply (core/dns/error_reply.h).
#include <cstdint>
#include <span>
#include <vector>

#include "core/dns/message.h"

namespace coredns::server {

// The outcome of the checks a raw query passes before any plugin runs.
enum class Precheck {
  accept,       // a single question, parseable: hand to the chain
  drop,         // shorter than a header, or a response: no reply
  reply_ready,  // `reply` holds the NOTIMP/FORMERR/SERVFAIL answer
};

// Classifies a raw datagram or TCP frame. On reply_ready `reply` is filled.
Precheck precheck_query(std::span<const uint8_t> raw, dns::MessageView& view,
                        std::vector<uint8_t>& reply);

// BADVERS for a query whose OPT version is not 0 (RFC 6891 §6.1.3): not scrubbed.
std::vector<uint8_t> badvers_reply(const dns::MessageView& query);

}  // namespace coredns::server
