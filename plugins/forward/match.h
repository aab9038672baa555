#pragma once
// Whether a datagram that reached one of our upstream sockets answers the query it names by ID
// (RFC 5452 §9.1: the ID, the source address and port, and the question must all match). The
// address and port are the socket's business (it is connected and compares the source); this
// looks at the message. docs/forward-transport.md lists the rules and why.
#include <cstdint>
#include <span>

namespace coredns::plugins::forward {

enum class Match {
  ignore,    // not an answer to this query: keep waiting (short, other ID, no question and no error)
  answer,    // the reply: relay it
  mismatch,  // our ID with another question, or our query echoed back: the attempt failed
};

// `query` is the message as sent (its ID included); `reply` what arrived.
Match match_reply(std::span<const uint8_t> query, std::span<const uint8_t> reply);

}  // namespace coredns::plugins::forward
