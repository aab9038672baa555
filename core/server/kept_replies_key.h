#pragma once
// The key under which the server keeps a reply to a UDP query (docs/architecture.md, "Kept
// replies"): the client's address family and the query's own octets after its ID, the question
// name lower-cased. Two queries with equal keys differ only in ID and in the question name's case,
// so a chain whose reply depends on the query and the family alone answers them alike. Only a
// query of the plain form has one: one question, no other record but an OPT without options
// (cookies and NSID are the client's own).
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/dns/message.h"
#include "core/dns/wire.h"

namespace coredns::server {

struct KeptReplyKey {
  // The family octet, the header after the ID, the question and an OPT of 11 octets.
  uint8_t octets[1 + 10 + dns::kMaxNameLength + 4 + 11];
  size_t size = 0;

  // False for a query that is not of the plain form.
  bool make(const dns::MessageView& query, bool client_ipv4);
  std::span<const uint8_t> view() const { return {octets, size}; }

  // The hash of the key a query of octets `query` has, from the octets alone, before the query
  // is parsed (every octet after the ID hashed without its case, as if all were the name's):
  // a UDP endpoint asks for the store's bucket with it while the query is being checked.
  static uint64_t hash_of(std::span<const uint8_t> query, bool client_ipv4) {
    if (query.size() < dns::kHeaderSize) return 0;
    return dns::hash_octets(client_ipv4, query.subspan(2), /*fold_case=*/true);
  }
};

}  // namespace coredns::server
