#pragma once
#include <cstdint>

#include "core/dns/message.h"

namespace coredns::plugins::cache {

// Whether the answer section really answers the question: following the CNAME chain
// from `qname` ends at a record of `qtype` and `qclass`. ANY is answered by any record at the
// name in that class, CNAME by one unambiguous CNAME at the name. An owner with two different
// CNAME targets, or a loop, answers nothing; identical duplicates are fine and records off the
// chain are ignored.
bool answers_question(const dns::MessageView& reply, const dns::Name& qname, uint16_t qtype,
                      uint16_t qclass);

}  // namespace coredns::plugins::cache
