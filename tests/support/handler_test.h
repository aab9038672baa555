#pragma once
// Running a handler in a unit test: requests from a given client, stub next plugins, a
// synchronous driver, and a capture of what the process log writes to stdout.
//
//   auto q = coredns::testing::dig_query();
//   Request req(q, Transport::udp, testing::endpoint("127.0.0.1", 5000), ..., nullptr);
//   testing::Stub next([](const Request& r) { return Response::unwritten(2, "x"); });
//   Response resp = testing::run(handler, req, {&next});
//
// A handler that makes sub-queries (Request::lookup) or labels metrics by server
// (Request::server_key) gets a ChainServer as the request's server instead of a whole server.
#include <arpa/inet.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "core/dns/error_reply.h"
#include "core/dns/scrub.h"
#include "core/plugin/handler.h"
#include "core/plugin/lookup.h"
#include "tests/unit/dns_test_support.h"

namespace coredns::testing {

inline Endpoint endpoint(const char* ip, uint16_t port) {
  sockaddr_storage ss{};
  if (std::string(ip).find(':') != std::string::npos) {
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
    s6->sin6_family = AF_INET6;
    inet_pton(AF_INET6, ip, &s6->sin6_addr);
    s6->sin6_port = htons(port);
  } else {
    auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
    s4->sin_family = AF_INET;
    inet_pton(AF_INET, ip, &s4->sin_addr);
    s4->sin_port = htons(port);
  }
  return Endpoint::from(reinterpret_cast<sockaddr*>(&ss));
}

// dig's query of G1: id 24311, RD+AD, OPT udp 1232 with an 8-byte client cookie: 52 bytes.
inline std::vector<uint8_t> dig_query(const char* name = "example.org.", uint16_t qtype = 1) {
  QueryOptions o;
  o.id = 24311;
  o.flags = dns::Header::RD | dns::Header::AD;
  o.edns = true;
  o.udp_size = 1232;
  o.options = {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8};
  return make_query(name, qtype, o);
}

// A plain query without EDNS (29 bytes for example.org.).
inline std::vector<uint8_t> plain_query(const char* name = "example.org.", uint16_t qtype = 1) {
  QueryOptions o;
  o.id = 4242;
  return make_query(name, qtype, o);
}

// What whoami writes for `req`: AA, A + SRV in additional (91 bytes for example.org. over IPv4).
inline std::vector<uint8_t> whoami_reply(const Request& req) {
  dns::Header h;
  h.id = req.id();
  h.set(dns::Header::QR);
  h.set(dns::Header::AA);
  h.flags |= req.msg().header().flags & (dns::Header::RD | dns::Header::CD);
  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, h);
  b.add_question(req.qname(), req.qtype(), req.qclass());
  const uint8_t a[4] = {127, 0, 0, 1};
  b.add_record(dns::Section::additional, req.qname(), dns::type::A, req.qclass(), 0, a);
  dns::Name srv = req.qname();
  srv.prepend_label("_udp");
  uint8_t rdata[7] = {0, 0, 0, 0, 0xC8, 0xDD, 0};
  b.add_record(dns::Section::additional, srv, dns::type::SRV, req.qclass(), 0, rdata);
  b.finish();
  return out;
}

// A reply with the given rcode and, optionally, one answer / an SOA or NS in authority.
inline std::vector<uint8_t> reply_with(const Request& req, uint16_t rcode, bool answer,
                                       uint16_t authority_type = 0) {
  dns::Header h;
  h.id = req.id();
  h.set(dns::Header::QR);
  h.set_rcode(rcode);
  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, h);
  b.add_question(req.qname(), req.qtype(), req.qclass());
  const uint8_t a[4] = {192, 0, 2, 1};
  if (answer) b.add_record(dns::Section::answer, req.qname(), dns::type::A, dns::cls::IN, 60, a);
  if (authority_type == dns::type::NS)
    b.add_name_record(dns::Section::authority, req.qname(), dns::type::NS, dns::cls::IN, 60,
                      name("ns.example.org."));
  else if (authority_type == dns::type::SOA)
    b.add_record(dns::Section::authority, name("org."), dns::type::SOA,
                 dns::cls::IN, 60, std::vector<uint8_t>(22, 0));
  b.finish();
  return out;
}

// The next plugin: hands back whatever `make` builds for the request.
template <typename Make>
class Stub : public Handler {
 public:
  explicit Stub(Make make) : make_(std::move(make)) {}
  std::string_view name() const override { return "stub"; }
  Task<Response> serve(Request& req, Next) override { co_return make_(req); }

 private:
  Make make_;
};

// The server of a unit test: `key()` is the metrics label it is built with, and a sub-query runs
// through `chain` as the real server runs it through the one block that serves every zone: the
// chain, the error reply for an unwritten rcode, the scrub for the client.
class ChainServer final : public Lookup {
 public:
  explicit ChainServer(std::string key = "dns://:53", std::vector<Handler*> chain = {})
      : key_(std::move(key)), chain_(std::move(chain)) {}
  void set_chain(std::vector<Handler*> chain) { chain_ = std::move(chain); }

  Task<Response> serve(Request& req) const override {
    Response resp = co_await serve_chain(chain_, req);
    if (!resp.written() && dns::is_unwritten_rcode(resp.rcode))
      resp.wire = dns::error_reply(req.msg(), resp.rcode);
    if (resp.written() && !resp.scrubbed) {
      dns::scrub_reply(resp.wire, req.msg(), {.tcp = req.tcp(), .extra_echoed_options = {}});
      resp.scrubbed = true;
    }
    co_return resp;
  }
  const std::string& key() const override { return key_; }

 private:
  std::string key_;
  std::vector<Handler*> chain_;
};

// Runs `h` with `rest` as the chain after it; every handler here finishes synchronously.
inline Response run(Handler& h, Request& req, std::vector<Handler*> rest = {}) {
  std::optional<Response> out;
  std::exception_ptr error;
  async::spawn(h.serve(req, Next(rest, h.name())),
               [&](std::optional<Response> r, std::exception_ptr e) {
                 out = std::move(r);
                 error = e;
               });
  if (error) std::rethrow_exception(error);
  return std::move(*out);
}

// A next plugin that only records that the query reached it: its unwritten SERVFAIL carries the
// error "passed", for tests of plugins that answer some queries and pass the others on.
class PassedOn : public Handler {
 public:
  std::string_view name() const override { return "passed"; }
  Task<Response> serve(Request&, Next) override {
    co_return Response::unwritten(dns::rcode::SERVFAIL, "passed");
  }
};

// Redirects stdout (where the process log writes) to a temporary file for the scope.
class StdoutCapture {
 public:
  StdoutCapture() : file_(std::tmpfile()), saved_(::dup(STDOUT_FILENO)) {
    std::fflush(stdout);
    ::dup2(::fileno(file_), STDOUT_FILENO);
  }
  ~StdoutCapture() {
    restore();
    std::fclose(file_);
  }
  // Everything written so far, as lines.
  std::vector<std::string> lines() {
    std::fflush(stdout);
    std::string text;
    char buf[4096];
    std::rewind(file_);
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, file_)) > 0) text.append(buf, n);
    std::fseek(file_, 0, SEEK_END);  // the offset is shared with fd 1: keep appending
    std::vector<std::string> out;
    size_t start = 0;
    for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
      out.push_back(text.substr(start, nl - start));
    return out;
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    ::dup2(saved_, STDOUT_FILENO);
    ::close(saved_);
    saved_ = -1;
  }
  std::FILE* file_;
  int saved_;
};

}  // namespace coredns::testing
