#pragma once
// The minimal reply for an rcode when nothing else was written: CoreDNS's ClientWrite rule
// (plugin.ClientWrite, and dns.Msg.SetRcode in core/dnsserver/server.go). The server writes it for
// an unwritten Response; a plugin that needs the reply's final form itself (cache storing a
// SERVFAIL, log's {>rflags}) builds the same one here.
#include <cstdint>
#include <vector>

#include "core/dns/message.h"

namespace coredns::dns {

// ID, opcode, RD and CD copied (RD/CD only for QUERY), RA=0, question echoed, no records. The
// OPT is added later by the scrub step.
std::vector<uint8_t> error_reply(const MessageView& query, uint16_t rcode);

}  // namespace coredns::dns
