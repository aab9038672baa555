// libFuzzer target "dns_message": the wire codec and the server's pre-dispatch path on untrusted
// bytes (core/dns: MessageView::parse, read_name, uncompressed_size, MessageBuilder::copy_record,
// scrub_reply, error_reply; core/server: precheck_query, badvers_reply, the key a reply is kept
// under; core/plugin: the Request made of an accepted query, with_flags and derive, and the
// store of kept replies).
//
// Input layout: [ctl][qlen hi][qlen lo][query: qlen bytes][reply: the rest]
//   ctl bit 0: the client is on TCP (no truncation)
// Shorter inputs are taken as a query only. Besides memory errors (ASan/UBSan), it checks the
// invariants the server relies on; a violation aborts with a message on stderr.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "core/dns/builder.h"
#include "core/dns/error_reply.h"
#include "core/dns/message.h"
#include "core/dns/name.h"
#include "core/dns/rdata.h"
#include "core/dns/scrub.h"
#include "core/dns/types.h"
#include "core/plugin/kept_replies.h"
#include "core/plugin/request.h"
#include "core/server/kept_replies_key.h"
#include "core/server/replies.h"

namespace {

using namespace coredns;
using dns::MessageView;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "dns_message invariant violated: %s\n", what);
  std::abort();
}
void check(bool ok, const char* what) {
  if (!ok) fail(what);
}

// A name read from a message prints and parses back to the same name.
void check_name(const dns::Name& n) {
  dns::Name back;
  check(dns::Name::from_text(n.to_text(), back), "Name::from_text(to_text()) fails");
  check(back == n, "Name::from_text(to_text()) differs");
  check(n.lowered().equals_ci(n), "lowered name not equals_ci");
  check(n.is_subdomain_of(n.parent()), "name not below its parent");
}

// Every accessor of a validated view, and a rebuild through MessageBuilder.
void exercise(std::span<const uint8_t> bytes) {
  MessageView v;
  if (v.parse(bytes) != MessageView::Error::none) return;
  check(v.size() <= bytes.size(), "view larger than input");
  if (v.has_question()) {
    dns::Name q = v.question_name();
    check_name(q);
    check(dns::name_equals_ci(v.bytes(), v.question().name_offset, q), "question name !equals_ci");
  }
  const size_t uncompressed = v.uncompressed_size();

  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, v.header());
  if (v.has_question()) b.add_question_from(v);
  for (int s = 0; s < 3; ++s) {
    for (const dns::RecordView& rr : v.records(static_cast<dns::Section>(s))) {
      check(rr.end() <= v.size(), "record beyond the view");
      dns::Name owner;
      size_t after = dns::read_name(v.bytes(), rr.offset, &owner);
      check(after != dns::kBadOffset, "owner name of a validated record unreadable");
      check(dns::expanded_name_length(v.bytes(), rr.offset) == owner.size(),
            "expanded_name_length differs from read_name");
      check(dns::name_equals_ci(v.bytes(), rr.offset, owner), "owner name !equals_ci");
      check_name(owner);
      dns::RdataNames layout = dns::rdata_names(rr.type);
      size_t pos = rr.rdata_offset + layout.lead;
      for (int i = 0; i < layout.names; ++i) {
        dns::Name n;
        pos = dns::read_name(v.bytes().first(rr.end()), pos, &n);
        check(pos != dns::kBadOffset, "RDATA name of a validated record unreadable");
        check_name(n);
      }
      b.copy_record(static_cast<dns::Section>(s), v.bytes(), rr);
    }
  }
  b.finish();
  const size_t rebuilt_uncompressed = b.uncompressed_size();

  MessageView r;
  check(r.parse(out) == MessageView::Error::none, "rebuilt message does not parse");
  check(r.header().ancount == v.header().ancount && r.header().nscount == v.header().nscount &&
            r.header().arcount == v.header().arcount,
        "rebuilt message has other record counts");
  check(r.uncompressed_size() == rebuilt_uncompressed,
        "MessageView and MessageBuilder disagree on uncompressed size");
  if (v.header().qdcount <= 1) {
    check(rebuilt_uncompressed == uncompressed, "uncompressed size changed by a rebuild");
  }
}

int64_t fixed_clock() { return 0; }

// The server's kept replies (docs/architecture.md): the key of a query and of the same query
// with its name lower-cased are one key with one hash; a reply kept under it is found again,
// with the query's name written over its question, and parses.
void exercise_kept(const MessageView& qv, bool ipv4, std::span<const uint8_t> reply) {
  server::KeptReplyKey key;
  if (!key.make(qv, ipv4)) return;
  check(key.size <= sizeof key.octets && key.octets[0] == ipv4, "kept reply key out of shape");
  const dns::Question& q = qv.question();
  std::vector<uint8_t> lowered(qv.bytes().begin(), qv.bytes().end());
  dns::lower_octets(lowered.data() + q.name_offset, lowered.data() + q.name_offset, q.name_length);
  MessageView lv;
  check(lv.parse(lowered) == MessageView::Error::none,
        "query with its name lower-cased does not parse");
  server::KeptReplyKey lk;
  check(lk.make(lv, ipv4) && lk.size == key.size &&
            std::equal(key.octets, key.octets + key.size, lk.octets),
        "name case changed the kept reply key");
  const uint64_t hash = server::KeptReplyKey::hash_of(qv.bytes(), ipv4);
  check(hash == server::KeptReplyKey::hash_of(lowered, ipv4), "name case changed the key's hash");

  KeptReplies store(&fixed_clock);
  const auto name = qv.bytes().subspan(q.name_offset, q.name_length);
  // Kept under the lower-cased name, found under the asker's; the OPT cut off for one family.
  if (!store.keep(hash, key.view(), reply, lv.bytes().subspan(q.name_offset, q.name_length), 60,
                  /*cut_opt=*/ipv4))
    return;
  std::vector<uint8_t> out;
  check(store.find(hash, key.view(), name, out).has_value(), "kept reply not found");
  MessageView ov;
  check(ov.parse(out) == MessageView::Error::none, "kept reply does not parse");
  check(ov.question_name() == qv.question_name(), "kept reply does not carry the asker's name");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool tcp = data[0] & 1;
  std::span<const uint8_t> query{data + 1, size - 1}, reply_in;
  if (size >= 3) {
    size_t qlen = (size_t{data[1]} << 8) | data[2];
    std::span<const uint8_t> rest{data + 3, size - 3};
    if (qlen > rest.size()) qlen = rest.size();
    query = rest.first(qlen);
    reply_in = rest.subspan(qlen);
  }
  exercise(query);
  exercise(reply_in);

  // The server's path: precheck, then the core's own replies and the scrub of a plugin's reply.
  MessageView qv;
  std::vector<uint8_t> early;
  switch (server::precheck_query(query, qv, early)) {
    case server::Precheck::drop:
      return 0;
    case server::Precheck::reply_ready: {
      MessageView ev;
      check(ev.parse(early) == MessageView::Error::none, "precheck reply does not parse");
      check(ev.header().has(dns::Header::QR), "precheck reply is not a response");
      return 0;
    }
    case server::Precheck::accept:
      break;
  }
  check(qv.has_question() && qv.header().qdcount == 1, "accepted query without one question");
  {
    // The Request copies the question name's bytes whole (Question::name_length): they must be
    // the name the parse read, whatever the query's compression pointers or case.
    const dns::Name parsed = qv.question_name();
    Request req(qv, Transport::udp, Endpoint{}, Endpoint{}, nullptr);
    check(req.qname() == parsed, "Request's question name differs from the parse");
    check(req.qname_lower() == parsed.lowered(), "Request's lower-cased name differs");
    check(req.wire().size() == qv.size() &&
              std::equal(req.wire().begin(), req.wire().end(), qv.bytes().begin()),
          "Request's copy of the query differs");
    check(req.qtype() == qv.question().qtype && req.qclass() == qv.question().qclass,
          "Request's question type or class differs");
    const auto flagged = req.with_flags(dns::Header::AD | dns::Header::CD);
    check(flagged->qname() == parsed && flagged->id() == req.id() &&
              flagged->msg().header().has(dns::Header::AD) && flagged->cd_bit() &&
              flagged->wire().size() == req.wire().size(),
          "with_flags changed more than the flags");
    const auto derived = req.derive(parsed, dns::type::A);
    check(derived->qname() == parsed && derived->qtype() == dns::type::A &&
              derived->has_opt() == req.has_opt() && derived->depth() == req.depth() + 1,
          "derive did not ask the same name");
  }
  {
    std::vector<uint8_t> e = dns::error_reply(qv, dns::rcode::SERVFAIL);
    MessageView ev;
    check(ev.parse(e) == MessageView::Error::none, "error_reply does not parse");
    if (qv.opt() && qv.opt()->version != 0) {
      e = server::badvers_reply(qv);
      check(ev.parse(e) == MessageView::Error::none, "badvers_reply does not parse");
    }
  }

  std::vector<uint8_t> reply(reply_in.begin(), reply_in.end());
  MessageView before;
  const bool reply_ok = before.parse(reply) == MessageView::Error::none;
  const uint16_t before_an = reply_ok ? before.header().ancount : 0;
  dns::ClientLimits limits;
  limits.tcp = tcp;
  dns::scrub_reply(reply, qv, limits);
  if (!reply_ok) return 0;
  exercise_kept(qv, tcp, reply);
  MessageView after;
  check(after.parse(reply) == MessageView::Error::none, "scrubbed reply does not parse");
  check(after.size() == reply.size(), "scrubbed reply has trailing bytes");
  check((after.opt() != nullptr) >= (qv.opt() != nullptr), "scrub lost the OPT the query had");
  check(after.header().ancount <= before_an, "scrub added answers");
  const size_t limit = dns::reply_size_limit(qv, tcp);
  if (reply.size() > limit) {
    // Only what cannot be removed may exceed the limit: header, question and the OPT.
    uint16_t others = after.header().ancount + after.header().nscount + after.header().arcount;
    if (after.opt()) --others;
    check(others == 0, "scrubbed reply over the client's size with records left to drop");
  }
  return 0;
}
