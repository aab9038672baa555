#pragma once
// Helpers for dns64's unit tests: queries and replies written as text records, replies read back
// as text, and a test server (testing::ChainServer) whose chain is dns64 followed by a scripted
// "upstream": dns64's own lookups go through the same chain, as they go through the real server.
#include <arpa/inet.h>

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/async/task.h"
#include "core/dns/builder.h"
#include "core/dns/message.h"
#include "core/dns/types.h"
#include "core/plugin/handler.h"
#include "tests/support/handler_test.h"

namespace dns64test {

using namespace coredns;

inline dns::Name name(const std::string& text) {
  dns::Name n;
  REQUIRE(dns::Name::from_text(text, n));
  return n;
}

struct QueryOptions {
  uint16_t id = 42;
  uint16_t flags = dns::Header::RD;
  bool edns = false;
  bool do_bit = false;
  uint16_t udp_size = 1232;
};

inline std::vector<uint8_t> make_query(const std::string& qname, uint16_t qtype,
                                       QueryOptions o = {}) {
  dns::Header h;
  h.id = o.id;
  h.flags = o.flags;
  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, h);
  b.add_question(name(qname), qtype, dns::cls::IN);
  if (o.edns || o.do_bit) b.add_opt(o.udp_size, 0, 0, o.do_bit ? 0x8000 : 0, {});
  b.finish();
  return out;
}

// One record: "owner TTL TYPE data", data by type: A/AAAA address, CNAME/PTR/NS target,
// SOA "mname" (other fields fixed), RRSIG "COVERED".
struct RR {
  dns::Section section;
  std::string text;
};
inline RR an(std::string t) { return {dns::Section::answer, std::move(t)}; }
inline RR ns(std::string t) { return {dns::Section::authority, std::move(t)}; }
inline RR ar(std::string t) { return {dns::Section::additional, std::move(t)}; }

inline std::vector<std::string> fields(const std::string& text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find(' ', i);
    if (j == std::string::npos) j = text.size();
    if (j > i) out.push_back(text.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

inline void add_rr(dns::MessageBuilder& b, const RR& rr) {
  const auto f = fields(rr.text);
  REQUIRE(f.size() >= 4);
  uint16_t type = 0;
  REQUIRE(dns::parse_type(f[2], type));
  const auto ttl = static_cast<uint32_t>(std::stoul(f[1]));
  const dns::Name owner = name(f[0]);
  if (type == dns::type::A || type == dns::type::AAAA) {
    uint8_t addr[16];
    REQUIRE(inet_pton(type == dns::type::A ? AF_INET : AF_INET6, f[3].c_str(), addr) == 1);
    b.add_record(rr.section, owner, type, dns::cls::IN, ttl,
                 {addr, type == dns::type::A ? 4u : 16u});
  } else if (type == dns::type::CNAME || type == dns::type::PTR || type == dns::type::NS) {
    b.add_name_record(rr.section, owner, type, dns::cls::IN, ttl, name(f[3]));
  } else if (type == dns::type::SOA) {
    std::vector<uint8_t> rdata;
    const dns::Name m = name(f[3]);
    rdata.insert(rdata.end(), m.wire().begin(), m.wire().end());
    rdata.insert(rdata.end(), m.wire().begin(), m.wire().end());
    for (uint32_t v : {1u, 3600u, 900u, 604800u, 86400u})
      for (int s = 24; s >= 0; s -= 8) rdata.push_back(static_cast<uint8_t>(v >> s));
    b.add_record(rr.section, owner, type, dns::cls::IN, ttl, rdata);
  } else if (type == dns::type::RRSIG) {
    uint16_t covered = 0;
    REQUIRE(dns::parse_type(f[3], covered));
    std::vector<uint8_t> rdata(18, 0);
    rdata[0] = static_cast<uint8_t>(covered >> 8);
    rdata[1] = static_cast<uint8_t>(covered);
    rdata.push_back(0);  // signer "."
    rdata.push_back(0xAB);
    b.add_record(rr.section, owner, type, dns::cls::IN, ttl, rdata);
  } else {
    FAIL("unsupported type in test record " << rr.text);
  }
}

// A reply to `query` (its question and ID) with `rcode`, header `flags` added, and `rrs`.
inline std::vector<uint8_t> make_reply(std::span<const uint8_t> query, uint16_t rcode,
                                       const std::vector<RR>& rrs, uint16_t flags = 0) {
  dns::MessageView q;
  REQUIRE(q.parse(query) == dns::MessageView::Error::none);
  dns::Header h;
  h.id = q.header().id;
  h.flags = static_cast<uint16_t>(dns::Header::QR | (q.header().flags & dns::Header::RD) | flags);
  h.set_rcode(rcode);
  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, h);
  b.add_question_from(q);
  for (const RR& rr : rrs) add_rr(b, rr);
  if (const dns::OptView* opt = q.opt()) b.add_opt(opt->udp_size, 0, 0, opt->flags, {});
  b.finish();
  return out;
}

inline std::string rdata_text(std::span<const uint8_t> msg, const dns::RecordView& rr) {
  char buf[INET6_ADDRSTRLEN] = {0};
  switch (rr.type) {
    case dns::type::A:
      inet_ntop(AF_INET, msg.data() + rr.rdata_offset, buf, sizeof buf);
      return buf;
    case dns::type::AAAA:
      inet_ntop(AF_INET6, msg.data() + rr.rdata_offset, buf, sizeof buf);
      return buf;
    case dns::type::CNAME:
    case dns::type::PTR:
    case dns::type::NS:
    case dns::type::SOA: {
      dns::Name n;
      dns::read_name(msg, rr.rdata_offset, &n);
      return n.to_text();
    }
    case dns::type::RRSIG:
      return dns::type_name(dns::load16(msg.data() + rr.rdata_offset));
    default:
      return "";
  }
}

// Records of one section as "owner TTL TYPE data" (OPT left out).
inline std::vector<std::string> section(std::span<const uint8_t> wire, dns::Section s) {
  dns::MessageView v;
  REQUIRE(v.parse(wire) == dns::MessageView::Error::none);
  std::vector<std::string> out;
  for (const dns::RecordView& rr : v.records(s)) {
    if (rr.type == dns::type::OPT) continue;
    dns::Name owner;
    dns::read_name(v.bytes(), rr.offset, &owner);
    out.push_back(owner.to_text() + " " + std::to_string(rr.ttl) + " " + dns::type_name(rr.type) +
                  " " + rdata_text(v.bytes(), rr));
  }
  return out;
}
using Lines = std::vector<std::string>;

inline dns::Header header(std::span<const uint8_t> wire) {
  dns::MessageView v;
  REQUIRE(v.parse(wire) == dns::MessageView::Error::none);
  return v.header();
}

inline Endpoint endpoint(const std::string& ip, uint16_t port = 40000) {
  sockaddr_storage ss{};
  if (ip.find(':') != std::string::npos) {
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
    s6->sin6_family = AF_INET6;
    REQUIRE(inet_pton(AF_INET6, ip.c_str(), &s6->sin6_addr) == 1);
    s6->sin6_port = htons(port);
  } else {
    auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
    s4->sin_family = AF_INET;
    REQUIRE(inet_pton(AF_INET, ip.c_str(), &s4->sin_addr) == 1);
    s4->sin_port = htons(port);
  }
  return Endpoint::from(reinterpret_cast<sockaddr*>(&ss));
}

// The "upstream" behind dns64: answers from a script keyed by "name TYPE" (lower-case name),
// and remembers what it was asked. A missing entry is a test failure.
class Script : public Handler {
 public:
  struct Answer {
    uint16_t rcode = dns::rcode::NOERROR;
    std::vector<RR> rrs;
    uint16_t flags = 0;
    bool unwritten = false;  // return `rcode` without a reply (forward's timeout)
  };
  std::map<std::string, Answer> answers;
  std::vector<std::string> asked;
  // Set: the script acts as a cache, promising each reply fresh this long (Response::fresh_for).
  uint32_t fresh_for = 0;

  std::string_view name() const override { return "script"; }
  Reuse reply_reuse() const override { return fresh_for ? Reuse::source : Reuse::none; }
  Task<Response> serve(Request& req, Next) override {
    const std::string key = req.name() + " " + dns::type_name(req.qtype());
    asked.push_back(key);
    auto it = answers.find(key);
    if (it == answers.end()) {
      FAIL_CHECK("unexpected upstream query " << key);
      co_return Response::unwritten(dns::rcode::REFUSED);
    }
    const Answer& a = it->second;
    if (a.unwritten) co_return Response::unwritten(a.rcode, "plugin/script: timeout");
    Response r = Response::reply(make_reply(req.wire(), a.rcode, a.rrs, a.flags), a.rcode);
    r.fresh_for = fresh_for;
    co_return r;
  }
};

// A server whose chain is `first` (dns64) then the script.
class Rig {
 public:
  explicit Rig(std::shared_ptr<Handler> first)
      : first_(std::move(first)), server_("dns://:53", {first_.get(), script_.get()}) {}
  Script& script() { return *script_; }
  // The chain as the server runs it: dns64, then the script.
  std::vector<Handler*> chain() const { return {first_.get(), script_.get()}; }
  const testing::ChainServer& server() const { return server_; }

  // Serves `query` from `client` through the whole server; the reply as the client gets it.
  Response ask(const std::vector<uint8_t>& query, const std::string& client = "::1",
               Transport t = Transport::udp) {
    const bool v6 = client.find(':') != std::string::npos;
    const Endpoint local = endpoint(v6 ? "::1" : "127.0.0.1", 53);
    Request req(query, t, endpoint(client), local, &server_);
    std::optional<Response> out;
    std::exception_ptr error;
    async::spawn(server_.serve(req), [&](std::optional<Response> r, std::exception_ptr e) {
      error = e;
      out = std::move(r);
    });
    if (error) std::rethrow_exception(error);
    REQUIRE(out.has_value());
    return std::move(*out);
  }

 private:
  std::shared_ptr<Handler> first_;
  std::shared_ptr<Script> script_ = std::make_shared<Script>();
  testing::ChainServer server_;
};

}  // namespace dns64test
