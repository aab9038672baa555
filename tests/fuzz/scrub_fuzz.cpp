// libFuzzer target "scrub": the size rule of dns::scrub_reply under random EDNS option sizes,
// buffer sizes and reply shapes. RFC 6891 §7: a UDP reply never exceeds max(512, the client's
// size), whatever the options the client sent or the upstream's OPT carries; records dropped
// means TC, and options go before records.
//
// Input layout (missing bytes read as zero):
//   [ctl] bit 0: TCP client; bit 1: the query has EDNS; bit 2: the reply has an OPT of its own;
//         bit 3: CD in the query; bits 4-6: which option the query carries (COOKIE, NSID,
//         PADDING, ECS, EXPIRE, TCP-KEEPALIVE, an unknown one, none)
//   [udp size: 2][query option length: 2][reply option length: 2]
//   [section counts: 3, each mod 16][record lengths: 1 each, in section order][question name]
// Option and record payloads are zero bytes; the name is the remaining input as labels.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/dns/builder.h"
#include "core/dns/message.h"
#include "core/dns/scrub.h"
#include "core/dns/types.h"

namespace {

using namespace coredns;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "scrub invariant violated: %s\n", what);
  std::abort();
}
void check(bool ok, const char* what) {
  if (!ok) fail(what);
}

struct Reader {
  const uint8_t* p;
  size_t n;
  uint8_t u8() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  uint16_t u16() { return static_cast<uint16_t>((u8() << 8) | u8()); }
};

std::vector<uint8_t> option(uint16_t code, size_t len) {
  std::vector<uint8_t> o(4 + len, 0);
  o[0] = static_cast<uint8_t>(code >> 8);
  o[1] = static_cast<uint8_t>(code);
  o[2] = static_cast<uint8_t>(len >> 8);
  o[3] = static_cast<uint8_t>(len);
  return o;
}

// A question name from the rest of the input: bytes as label lengths and letters, valid always.
dns::Name question_name(Reader& r) {
  std::string text;
  while (r.n > 0 && text.size() < 200) {
    size_t len = 1 + r.u8() % 40;
    for (size_t i = 0; i < len && text.size() < 200; ++i) text += static_cast<char>('a' + r.u8() % 26);
    text += '.';
  }
  if (text.empty()) text = "example.org.";
  dns::Name n;
  if (!dns::Name::from_text(text, n)) dns::Name::from_text("example.org.", n);
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader r{data, size};
  const uint8_t ctl = r.u8();
  const bool tcp = ctl & 1, edns = ctl & 2, own_opt = ctl & 4, cd = ctl & 8;
  static constexpr uint16_t kCodes[] = {dns::edns_option::COOKIE, dns::edns_option::NSID,
                                        dns::edns_option::PADDING, dns::edns_option::ECS,
                                        dns::edns_option::EXPIRE, dns::edns_option::TCP_KEEPALIVE,
                                        65001, 0};
  const uint16_t code = kCodes[(ctl >> 4) & 7];
  const uint16_t udp_size = r.u16();
  const size_t qopt_len = r.u16() % 8192, ropt_len = r.u16() % 8192;
  int counts[3];
  for (int& c : counts) c = r.u8() % 16;
  std::vector<size_t> lengths;
  for (int s = 0; s < 3; ++s)
    for (int i = 0; i < counts[s]; ++i) lengths.push_back(1 + r.u8());
  const dns::Name qname = question_name(r);

  // A COOKIE of a malformed length never reaches a plugin (the server answers FORMERR first).
  const bool with_option = code != 0 && !(code == dns::edns_option::COOKIE &&
                                          !(qopt_len == 8 || (qopt_len >= 16 && qopt_len <= 40)));
  dns::Header qh;
  qh.id = 0x1234;
  qh.set(dns::Header::RD);
  qh.set(dns::Header::CD, cd);
  std::vector<uint8_t> query;
  {
    dns::MessageBuilder b(query, qh);
    b.add_question(qname, dns::type::TXT, dns::cls::IN);
    if (edns) b.add_opt(udp_size, 0, 0, 0, with_option ? option(code, qopt_len) : std::vector<uint8_t>{});
    b.finish();
  }
  dns::MessageView qv;
  check(qv.parse(query) == dns::MessageView::Error::none, "query does not parse");

  dns::Header rh = qh;
  rh.set(dns::Header::QR);
  rh.set(dns::Header::CD, false);
  std::vector<uint8_t> reply;
  {
    dns::MessageBuilder b(reply, rh);
    b.add_question_from(qv);
    size_t k = 0;
    for (int s = 0; s < 3; ++s) {
      for (int i = 0; i < counts[s]; ++i, ++k) {
        std::vector<uint8_t> rdata(lengths[k], 0);
        rdata[0] = static_cast<uint8_t>(lengths[k] - 1);
        b.add_record(static_cast<dns::Section>(s), qname, dns::type::TXT, dns::cls::IN, 60, rdata);
      }
    }
    if (own_opt) b.add_opt(4096, 0, 0, 0, option(dns::edns_option::PADDING, ropt_len));
    b.finish();
  }
  const size_t records = lengths.size();

  dns::scrub_reply(reply, qv, {.tcp = tcp, .extra_echoed_options = {}});

  dns::MessageView v;
  check(v.parse(reply) == dns::MessageView::Error::none, "scrubbed reply does not parse");
  check(v.size() == reply.size(), "scrubbed reply has trailing bytes");
  const size_t limit = tcp ? 65535 : std::max<size_t>(512, edns ? udp_size : 512);
  check(reply.size() <= limit, "reply larger than the client's size");
  check(dns::reply_size_limit(qv, tcp) == limit, "reply_size_limit disagrees with RFC 6891 §7");
  size_t kept = size_t{v.header().ancount} + v.header().nscount + v.header().arcount;
  if (v.opt()) --kept;
  check(kept <= records, "scrub added records");
  const bool dropped = kept < records;
  check(v.header().has(dns::Header::TC) == dropped, "TC differs from 'records were dropped'");
  check(v.header().has(dns::Header::CD) == cd, "CD not copied from the query");
  if (edns) {
    check(v.opt() != nullptr, "scrub lost the OPT the query had");
    check(v.opt()->udp_size == udp_size, "the client's size is not echoed");
    check(!dropped || v.opt()->options.empty(), "records dropped while options were kept");
  }
  return 0;
}
