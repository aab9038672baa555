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

// The OPT record the client gets, serialised.
void build_final_opt(std::vector<uint8_t>& out, const OptView& query_opt, const OptView* reply_opt,
                     std::span<const uint16_t> extra) {
  uint16_t flags = query_opt.flags & 0x8000;
  uint8_t ext_rcode = 0;
  std::span<const uint8_t> options;
  std::vector<uint8_t> filtered;
  if (reply_opt) {
    flags |= reply_opt->flags & 0x8000;
    ext_rcode = reply_opt->ext_rcode;
    options = reply_opt->options;
  } else {
    auto in = query_opt.options;
    for (size_t i = 0; i + 4 <= in.size();) {
      uint16_t code = load16(&in[i]);
      size_t len = load16(&in[i + 2]);
      if (i + 4 + len > in.size()) break;
      if (echoed_option(code, extra)) filtered.insert(filtered.end(), &in[i], &in[i + 4 + len]);
      i += 4 + len;
    }
    options = filtered;
  }
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

uint16_t reply_size_limit(const MessageView& query, bool tcp) {
  if (tcp) return 65535;
  const OptView* opt = query.opt();
  return opt ? std::max<uint16_t>(512, opt->udp_size) : 512;
}

void scrub_reply(std::vector<uint8_t>& reply, const MessageView& query, const ClientLimits& limits) {
  MessageView rv;
  if (rv.parse(reply) != MessageView::Error::none) return;
  const OptView* qopt = query.opt();
  const OptView* ropt = rv.opt();
  const size_t limit = reply_size_limit(query, limits.tcp);

  std::vector<uint8_t> opt_bytes;
  if (qopt) build_final_opt(opt_bytes, *qopt, ropt, limits.extra_echoed_options);
  // Without an OPT in the query, a reply's own OPT is passed on unchanged (as CoreDNS does).
  const bool replace_opt = qopt && ropt;

  // Fast path: nothing to remove, everything fits.
  if (!replace_opt && rv.size() + opt_bytes.size() <= limit) {
    reply.resize(rv.size());
    if (!opt_bytes.empty()) {
      reply.insert(reply.end(), opt_bytes.begin(), opt_bytes.end());
      store16(&reply[10], static_cast<uint16_t>(rv.header().arcount + 1));
    }
    return;
  }

  // Slow path: rebuild from the header and question, keeping whole records in section order
  // while they fit, without the reply's own OPT.
  const bool opt_is_last = !ropt || ropt->end == rv.size();
  std::vector<uint8_t> out;
  out.reserve(std::min(limit, rv.size() + opt_bytes.size()));
  Header h = rv.header();
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
