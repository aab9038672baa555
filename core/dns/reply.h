#pragma once
// Pieces of the replies a plugin builds itself: the header every such reply starts from, and the
// Extended DNS Error option (RFC 8914) it may carry.
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/dns/builder.h"
#include "core/dns/header.h"
#include "core/dns/message.h"

namespace coredns::dns {

// Extended DNS Error info-codes (RFC 8914 §4) that plugins use.
namespace ede {
inline constexpr uint16_t OTHER = 0, BLOCKED = 15, CENSORED = 16, FILTERED = 17, PROHIBITED = 18,
                          NOT_AUTHORITATIVE = 20, NOT_SUPPORTED = 21;
}

// The header of a reply to `query` (miekg/dns's SetReply, which CoreDNS's replies start from):
// same ID and opcode, QR set, RD and CD copied for a QUERY; AA, RA, AD and TC clear for the
// caller to set. Counts are left to the builder.
Header reply_header(const MessageView& query);

// One EDE option (code 15), ready for MessageBuilder::add_opt: INFO-CODE and the optional
// UTF-8 EXTRA-TEXT (RFC 8914 §2).
std::vector<uint8_t> ede_option(uint16_t info_code, std::string_view extra_text = {});

// Adds an OPT carrying `options` to a reply to `query`, only if the query had an OPT: a client
// that sent none must get none (RFC 6891 §7). The DO bit is the query's (RFC 3225 §3).
void add_reply_opt(MessageBuilder& b, const MessageView& query,
                   const std::vector<uint8_t>& options);

}  // namespace coredns::dns
