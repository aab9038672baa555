#include "core/dns/scrub.h"

#include <algorithm>

#include "core/dns/builder.h"
#include "core/dns/types.h"

namespace coredns::dns {
namespace {

bool echoed_option(uint16_t code, std::span<const uint16_t> extra) {
  switch (code) {
    case edns_option::NSID: case edns_option::EXPIRE: case edns_option::COOKIE:
    case edns_option::TCP_KEEPALIVE: case edns_option::PADDING:
      return true;
    default:
      return std::find(extra.begin(), extra.end(), code) != extra.end();
  }
}

bool well_formed_cookie(size_t len) { return len == 8 || (len >= 16 && len <= 40); }

// Calls f(code, data) for each whole option of an OPT's RDATA.
template <typename F>
void for_each_option(std::span<const uint8_t> in, F&& f) {
  for (size_t i = 0; i + 4 <= in.size();) {
    const uint16_t code = load16(&in[i]);
    const size_t len = load16(&in[i + 2]);
    if (i + 4 + len > in.size()) break;
    f(code, in.subspan(i, 4 + len));
    i += 4 + len;
  }
}

// The OPT record the client gets, serialised; without options when `with_options` is false.
void build_final_opt(std::vector<uint8_t>& out, const OptView& query_opt, const OptView* reply_opt,
                     std::span<const uint16_t> extra, bool with_options) {
  uint16_t flags = query_opt.flags & 0x8000;
  uint8_t ext_rcode = 0;
  std::span<const uint8_t> options;
  std::vector<uint8_t> filtered;
  if (reply_opt) {
    flags |= reply_opt->flags & 0x8000;
    ext_rcode = reply_opt->ext_rcode;
    options = reply_opt->options;
  } else {
    // CoreDNS echoes these options from the query when no plugin wrote an OPT. Two are not
    // echoed as they came: a malformed COOKIE (the query got FORMERR for it) is left out, and
    // an NSID's data, which RFC 5001 §2.3 tells a server to ignore, is not sent back.
    for_each_option(query_opt.options, [&](uint16_t code, std::span<const uint8_t> option) {
      if (!echoed_option(code, extra)) return;
      if (code == edns_option::COOKIE && !well_formed_cookie(option.size() - 4)) return;
      if (code == edns_option::NSID) option = option.first(4);
      const size_t at = filtered.size();
      filtered.insert(filtered.end(), option.begin(), option.end());
      if (code == edns_option::NSID) store16(&filtered[at + 2], 0);
    });
    options = filtered;
  }
  if (!with_options) options = {};
  size_t at = out.size();
  out.resize(at + 11);
  out[at] = 0;
  store16(&out[at + 1], type::OPT);
  store16(&out[at + 3], query_opt.udp_size);
  store32(&out[at + 5], (uint32_t{ext_rcode} << 24) | flags);
  store16(&out[at + 9], static_cast<uint16_t>(options.size()));
  out.insert(out.end(), options.begin(), options.end());
}

}  // namespace

bool malformed_cookie(const OptView& query_opt) {
  bool bad = false;
  for_each_option(query_opt.options, [&](uint16_t code, std::span<const uint8_t> option) {
    if (code == edns_option::COOKIE && !well_formed_cookie(option.size() - 4)) bad = true;
  });
  return bad;
}

uint16_t reply_size_limit(const MessageView& query, bool tcp) {
  if (tcp) return 65535;
  const OptView* opt = query.opt();
  return opt ? std::max<uint16_t>(512, opt->udp_size) : 512;
}

void scrub_reply(std::vector<uint8_t>& reply, const MessageView& query, const ClientLimits& limits,
                 bool plain) {
  MessageView rv;
  if (!plain && rv.parse(reply) != MessageView::Error::none) return;
  const OptView* qopt = query.opt();
  const OptView* ropt = plain ? nullptr : rv.opt();
  const size_t reply_size = plain ? reply.size() : rv.size();
  const Header reply_header = plain ? Header::read(reply.data()) : rv.header();
  const size_t limit = reply_size_limit(query, limits.tcp);

  // RFC 4035 §3.2.2: CD is copied from the query, whatever the upstream or the cache said.
  const bool cd = query.header().has(Header::CD);
  // Without an OPT in the query, a reply's own OPT is passed on unchanged (as CoreDNS does).
  const bool replace_opt = qopt && ropt;
  // The records the reply keeps weigh at most this (its own OPT is replaced when qopt is set).
  const size_t records_end = replace_opt && ropt->end == reply_size ? ropt->offset : reply_size;

  std::vector<uint8_t> opt_bytes;
  if (qopt) {
    build_final_opt(opt_bytes, *qopt, ropt, limits.extra_echoed_options, true);
    // RFC 6891 §7: the reply must fit the client's size whatever the options weigh. Options
    // are only echoes and hints, so they go before any record does.
    if (records_end + opt_bytes.size() > limit) {
      opt_bytes.clear();
      build_final_opt(opt_bytes, *qopt, ropt, limits.extra_echoed_options, false);
    }
  }

  // Fast path: nothing to remove, everything fits.
  if (!replace_opt && reply_size + opt_bytes.size() <= limit) {
    reply.resize(reply_size);
    Header h = reply_header;
    h.set(Header::CD, cd);
    store16(&reply[2], h.flags);
    if (!opt_bytes.empty()) {
      reply.insert(reply.end(), opt_bytes.begin(), opt_bytes.end());
      store16(&reply[10], static_cast<uint16_t>(reply_header.arcount + 1));
    }
    return;
  }
  // Records must go: the cut needs the records' places.
  if (plain && rv.parse(reply) != MessageView::Error::none) return;

  // Slow path: rebuild from the header and question, keeping whole records in section order
  // while they fit, without the reply's own OPT.
  const bool opt_is_last = !ropt || ropt->end == rv.size();
  std::vector<uint8_t> out;
  out.reserve(std::min(limit, rv.size() + opt_bytes.size()));
  Header h = rv.header();
  h.set(Header::CD, cd);
  uint16_t counts[3] = {0, 0, 0};
  bool dropped = false;
  const size_t budget = limit - opt_bytes.size();
  if (opt_is_last) {
    // Compression pointers only point backwards, so a prefix of the records stays valid.
    out.assign(reply.begin(), reply.begin() + rv.question_end());
    for (int s = 0; s < 3 && !dropped; ++s) {
      for (const RecordView& rr : rv.records(static_cast<Section>(s))) {
        if (rr.type == type::OPT && s == 2) continue;
        if (rr.end() > budget) {
          dropped = true;
          break;
        }
        ++counts[s];
      }
    }
    size_t cut = rv.question_end();
    for (int s = 0; s < 3; ++s) {
      uint16_t n = 0;
      for (const RecordView& rr : rv.records(static_cast<Section>(s))) {
        if (n++ == counts[s]) break;
        cut = rr.end();
      }
    }
    out.assign(reply.begin(), reply.begin() + cut);
  } else {
    MessageBuilder b(out, h);
    b.add_question_from(rv);
    for (int s = 0; s < 3 && !dropped; ++s) {
      for (const RecordView& rr : rv.records(static_cast<Section>(s))) {
        if (rr.type == type::OPT && s == 2) continue;
        size_t before = out.size();
        auto saved = b.header();
        b.copy_record(static_cast<Section>(s), rv.bytes(), rr);
        if (out.size() > budget) {
          out.resize(before);
          b.header() = saved;
          dropped = true;
          break;
        }
        ++counts[s];
      }
    }
  }
  if (dropped) h.set(Header::TC);
  h.ancount = counts[0];
  h.nscount = counts[1];
  h.arcount = static_cast<uint16_t>(counts[2] + (opt_bytes.empty() ? 0 : 1));
  h.qdcount = opt_is_last ? rv.header().qdcount : static_cast<uint16_t>(rv.has_question());
  h.write(out.data());
  out.insert(out.end(), opt_bytes.begin(), opt_bytes.end());
  reply.swap(out);
}

}  // namespace coredns::dns
