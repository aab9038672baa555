#include "plugins/chaos/chaos.h"

#include <algorithm>
#include <ctime>
#include <random>

#include "core/dns/builder.h"
#include "core/dns/reply.h"
#include "core/dns/types.h"
#include "core/util/build_info.h"

namespace coredns::plugins::chaos {
namespace {

// A TXT character-string holds at most 255 bytes (RFC 1035 §3.3).
std::string truncated(std::string s) {
  if (s.size() > 255) s.resize(255);
  return s;
}

void add_txt(dns::MessageBuilder& b, const dns::Name& owner, const std::string& text) {
  std::vector<uint8_t> rdata;
  rdata.reserve(text.size() + 1);
  rdata.push_back(static_cast<uint8_t>(text.size()));
  rdata.insert(rdata.end(), text.begin(), text.end());
  b.add_record(dns::Section::answer, owner, dns::type::TXT, dns::cls::CH, 0, rdata);
}

enum class Kind { none, version, authors, hostname };

Kind kind_of(const Request& req) {
  static const auto names = [] {
    std::vector<std::pair<dns::Name, Kind>> v;
    for (auto [text, kind] : {std::pair{"version.bind.", Kind::version},
                              std::pair{"version.server.", Kind::version},
                              std::pair{"authors.bind.", Kind::authors},
                              std::pair{"hostname.bind.", Kind::hostname},
                              std::pair{"id.server.", Kind::hostname}}) {
      dns::Name n;
      dns::Name::from_text(text, n);
      v.emplace_back(n, kind);
    }
    return v;
  }();
  for (const auto& [n, kind] : names)
    if (req.qname_lower() == n) return kind;
  return Kind::none;
}

}  // namespace

const std::vector<std::string>& default_authors() {
  static const std::vector<std::string> authors = {
      "Tantalor93",    "bradbeam",    "chrisohaver", "darshanime",   "dilyevsky",
      "ekleiner",      "greenpau",    "houyuwushang", "ihac",        "inigohu",
      "isolus",        "jameshartig", "johnbelamaric", "miekg",      "mqasimsarfraz",
      "nchrisdk",      "nitisht",     "pmoroney",    "rajansandeep", "rdrozhdzh",
      "rtreffer",      "snebel29",    "stp-ip",      "superq",       "thevilledev",
      "varyoo",        "ykhr53",      "yongtang",    "zouyee"};
  return authors;
}

std::vector<uint8_t> Chaos::answer(const Request& req, uint64_t seed) const {
  if (req.qclass() != dns::cls::CH || req.qtype() != dns::type::TXT) return {};
  const Kind kind = kind_of(req);
  if (kind == Kind::none) return {};
  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, dns::reply_header(req.msg()));
  b.add_question_from(req.msg());
  switch (kind) {
    case Kind::version:
      add_txt(b, req.qname(), config_.version);
      break;
    case Kind::hostname:
      add_txt(b, req.qname(), config_.hostname);
      break;
    case Kind::authors: {
      std::vector<const std::string*> order;
      for (const auto& a : config_.authors) order.push_back(&a);
      std::mt19937_64 rng(seed);
      std::shuffle(order.begin(), order.end(), rng);
      for (const std::string* a : order) add_txt(b, req.qname(), *a);
      break;
    }
    case Kind::none:
      break;
  }
  b.finish();
  return out;
}

Task<Response> Chaos::serve(Request& req, Next next) {
  auto reply = answer(req, static_cast<uint64_t>(std::time(nullptr)));
  if (reply.empty()) co_return co_await next(req);
  co_return Response::reply(std::move(reply), dns::rcode::NOERROR, name());
}

Config parse_config(corefile::Dispenser& d, std::string hostname) {
  Config c;
  c.hostname = truncated(std::move(hostname));
  c.version = "CoreDNS-" + build_info().version;
  c.authors = default_authors();
  if (!d.next()) return c;
  std::vector<std::string> args = d.remaining_args();
  if (!args.empty()) c.version = truncated(args[0]);
  if (args.size() > 1) {
    std::vector<std::string> authors;
    for (size_t i = 1; i < args.size(); ++i) authors.push_back(truncated(args[i]));
    std::sort(authors.begin(), authors.end());
    authors.erase(std::unique(authors.begin(), authors.end()), authors.end());
    c.authors = std::move(authors);
  }
  while (d.next_block()) throw d.err("unknown property '" + d.val() + "'");
  return c;
}

}  // namespace coredns::plugins::chaos
