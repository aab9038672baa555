// Reproducers for what tools/fuzz.sh found (tests/fuzz/), minimised by hand. Each case names the
// target and the invariant it broke.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "core/dns/builder.h"
#include "core/dns/message.h"
#include "core/dns/name.h"
#include "core/dns/scrub.h"
#include "core/dns/types.h"
#include "core/server/replies.h"

using namespace coredns;

// dns_message: "owner name of a validated record unreadable". The answer's owner is a pointer
// back into the header (offset 0, the ID's first byte 0x20 read as a 32-byte label), whose label
// runs past the last record into trailing bytes. parse() read names in the whole buffer but
// bytes() ends at the last record, so the validated view held a name that read_name on bytes()
// rejects: copy_record wrote the root instead, and the scrub's fast path cut the trailing bytes
// and sent the client a message whose owner name runs off its end.
TEST_CASE("fuzz: a name may not read past the last record into trailing bytes") {
  std::vector<uint8_t> msg = {
      0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,  // ID 0x2000, AN=1
      0xC0, 0x00,                                                              // owner: -> 0
      0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,              // A IN 0, rdlen 0
      'x',  'x',  'x',  'x',  'x',  'x',  'x',  'x',  'x',                     // trailing bytes
      0x00};                                                                   // ... root label
  dns::MessageView v;
  const auto err = v.parse(msg);
  if (err == dns::MessageView::Error::none) {
    // Whatever the view accepted must be readable through the view's own bytes.
    for (const auto& rr : v.records(dns::Section::answer)) {
      dns::Name owner;
      CHECK(dns::read_name(v.bytes(), rr.offset, &owner) != dns::kBadOffset);
    }
  } else {
    CHECK(err == dns::MessageView::Error::bad_record);
  }

  // The same name without the trailing bytes is simply malformed.
  dns::MessageView trimmed;
  CHECK(trimmed.parse(std::span<const uint8_t>(msg).first(24)) ==
        dns::MessageView::Error::bad_record);
}

// dns_message: heap-buffer-overflow in MessageBuilder::find_suffix. write_name made each label a
// compression target before the name was complete, so for a name whose next label repeats the
// previous one ("a.a.", and every reverse name like 1.1.168.192.in-addr.arpa.) the suffix search
// walked off the end of the output. With stale bytes past the end (a reused vector) it even
// matched and wrote a pointer into the name itself, a loop no reader accepts.
TEST_CASE("fuzz: compression never points into the name being written") {
  for (const char* text : {"a.a.", "1.1.168.192.in-addr.arpa.", "ns.ns.example.org.",
                           "x.x.x.x.x.", "www.example.org."}) {
    dns::Name qname;
    REQUIRE(dns::Name::from_text(text, qname));
    std::vector<uint8_t> out(512, 0);  // stale zeros past the end, as in a reused buffer
    dns::Header h;
    h.id = 1;
    dns::MessageBuilder b(out, h);
    b.add_question(qname, 12, 1);
    b.add_name_record(dns::Section::answer, qname, 12, 1, 60, qname);
    b.finish();
    dns::MessageView v;
    INFO(text);
    REQUIRE(v.parse(out) == dns::MessageView::Error::none);
    CHECK(v.question_name() == qname);
    for (const auto& rr : v.records(dns::Section::answer)) {
      dns::Name owner, target;
      CHECK(dns::read_name(v.bytes(), rr.offset, &owner) != dns::kBadOffset);
      CHECK(owner == qname);
      CHECK(dns::read_name(v.bytes(), rr.rdata_offset, &target) != dns::kBadOffset);
      CHECK(target == qname);
    }
  }
}

// dns_message: "error_reply does not parse" and "scrubbed reply does not parse". A question name
// that is a compression pointer into the header (it points backwards, so it looked legal) reads
// bytes the server rewrites in every reply (flags, counts). No name can start in the header:
// such a pointer is now malformed, the query gets FORMERR, an upstream reply is rejected.
TEST_CASE("fuzz: a name pointing into the header is malformed") {
  const std::vector<uint8_t> query = {
      0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // ID 0x0100, QD=1
      0xC0, 0x00,                                                              // qname -> 0
      0x00, 0x01, 0x00, 0x01};                                                 // A IN
  dns::MessageView q;
  CHECK(q.parse(query) == dns::MessageView::Error::bad_question);
  std::vector<uint8_t> reply;
  dns::MessageView v;
  REQUIRE(server::precheck_query(query, v, reply) == server::Precheck::reply_ready);
  dns::MessageView r;
  REQUIRE(r.parse(reply) == dns::MessageView::Error::none);
  CHECK(r.header().rcode() == dns::rcode::FORMERR);
  CHECK(r.header().qdcount == 0);
}

// cache_reply: "the cache's reply does not parse". The answer's owner is a pointer to the
// question's last byte (its class, 0x01), read as a one-octet label whose name runs on into the
// answer's own type, class and TTL. The reply parsed; the cache rewrote the TTL (clamped to its
// minimum) and so the owner's labels, and served a reply that no longer parsed. A pointer leads
// to a prior occurrence of a name (RFC 1035 §4.1.4): it must end before the pointer, and lie over
// no question's or record's fixed fields.
TEST_CASE("fuzz: a name reached through a pointer may not run into the record's own fields") {
  const std::vector<uint8_t> reply = {
      0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,  // QD=1 AN=1
      0x01, 'a',  0x00, 0x00, 0x01, 0x00, 0x01,                                // a. A IN
      0xC0, 0x12,                                // owner -> 18, the class's 0x01
      0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09,  // TXT IN TTL 0 rdlen 9
      0x07, 'a',  'b',  'c',  'd',  'e',  'f',  'g',  0x00};
  // Read from 18: the label "\xC0", then 0x12 as an 18-octet label over type, class, TTL, RDATA
  // length and most of the RDATA, then the RDATA's last octet as the root: a whole name that
  // ends after the pointer.
  dns::MessageView v;
  CHECK(v.parse(reply) == dns::MessageView::Error::bad_record);
}

TEST_CASE("fuzz: a name reached through a pointer may not lie over an earlier record's TTL") {
  // The first answer's TTL octets 01 'b' 00 00 spell the name "b."; the second answer's owner
  // points there. It ends before the pointer, but a rewritten TTL would rename the record.
  const std::vector<uint8_t> reply = {
      0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,  // QD=1 AN=2
      0x01, 'b',  0x00, 0x00, 0x01, 0x00, 0x01,                                // b. A IN
      0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01, 0x01, 'b',  0x00, 0x00, 0x00, 0x04,  // b. A IN TTL
      0x7F, 0x00, 0x00, 0x01,
      0xC0, 0x19,                                // owner -> 25, the first answer's TTL
      0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3C, 0x00, 0x04, 0x7F, 0x00, 0x00, 0x02};
  dns::MessageView v;
  CHECK(v.parse(reply) == dns::MessageView::Error::bad_record);
  // The same second owner pointing at the question's name is an ordinary compressed reply.
  std::vector<uint8_t> fine = reply;
  fine[reply.size() - 15] = 0x0C;
  REQUIRE(v.parse(fine) == dns::MessageView::Error::none);
  CHECK(v.header().ancount == 2);
}

TEST_CASE("pointers to a name's parent and to a name in RDATA still parse") {
  // www.example. CNAME host.(-> example. in the question); host.example. (-> the CNAME's
  // RDATA) A: what compressing servers write.
  const std::vector<uint8_t> reply = {
      0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,  // QD=1 AN=2
      0x03, 'w',  'w',  'w',  0x07, 'e',  'x',  'a',  'm',  'p',  'l',  'e',  0x00,
      0x00, 0x01, 0x00, 0x01,                                                  // A IN
      0xC0, 0x0C, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2C, 0x00, 0x07,  // CNAME
      0x04, 'h',  'o',  's',  't',  0xC0, 0x10,                                // host.(-> 16)
      0xC0, 0x29, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2C, 0x00, 0x04,  // (-> 41) A
      0xC0, 0x00, 0x02, 0x01};
  dns::MessageView v;
  REQUIRE(v.parse(reply) == dns::MessageView::Error::none);
  std::vector<std::string> owners;
  for (const auto& rr : v.records(dns::Section::answer)) {
    dns::Name owner;
    REQUIRE(dns::read_name(v.bytes(), rr.offset, &owner) != dns::kBadOffset);
    owners.push_back(owner.to_text());
  }
  CHECK(owners == std::vector<std::string>{"www.example.", "host.example."});
}
