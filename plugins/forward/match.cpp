#include "plugins/forward/match.h"

#include "core/dns/header.h"
#include "core/dns/name.h"

namespace coredns::plugins::forward {
namespace {

// The end of the uncompressed name at `off`, or 0 if it is not one. A question name is never
// compressed (there is nothing before it to point at), so a pointer is not a match.
size_t name_end(std::span<const uint8_t> m, size_t off) {
  while (off < m.size()) {
    const uint8_t len = m[off];
    if (len == 0) return off + 1;
    if (len & 0xC0) return 0;
    off += 1u + len;
  }
  return 0;
}

// The question section (name, type, class) of both messages is equal, the name ignoring case.
bool same_question(std::span<const uint8_t> q, std::span<const uint8_t> r) {
  const size_t qe = name_end(q, dns::kHeaderSize);
  const size_t re = name_end(r, dns::kHeaderSize);
  if (qe == 0 || re == 0 || qe != re || qe + 4 > q.size() || re + 4 > r.size()) return false;
  for (size_t i = dns::kHeaderSize; i < qe + 4; ++i) {
    // Label lengths are at most 63, below 'A', so folding every byte is safe.
    if (dns::ascii_lower(q[i]) != dns::ascii_lower(r[i])) return false;
  }
  return true;
}

}  // namespace

Match match_reply(std::span<const uint8_t> query, std::span<const uint8_t> reply) {
  if (reply.size() < dns::kHeaderSize || query.size() < dns::kHeaderSize) return Match::ignore;
  const dns::Header rh = dns::Header::read(reply.data());
  if (rh.id != dns::load16(query.data())) return Match::ignore;
  if (rh.qdcount == 0) {
    // RFC 6891 §7 and RFC 8945 §5.2: a server that cannot parse the query (FORMERR, NOTIMP)
    // or refuses its signature (NOTAUTH) may answer without the question. Such a reply is final;
    // one without an error says nothing and could only be forged.
    const uint8_t rcode = rh.flags & 0xF;
    const bool error = rcode != 0 && rcode != 3;  // neither NOERROR nor NXDOMAIN
    return rh.has(dns::Header::QR) && error ? Match::answer : Match::ignore;
  }
  if (rh.qdcount != 1) return Match::ignore;
  if (!same_question(query, reply)) return Match::mismatch;
  // Our own query, bounced back: a dead upstream's port that one of our sockets took, or a
  // reflector. Not an answer, and waiting will not bring one.
  if (!rh.has(dns::Header::QR)) return Match::mismatch;
  return Match::answer;
}

}  // namespace coredns::plugins::forward
