// The template handler (CoreDNS's template_test.go and cname_test.go vectors), run through a
// ChainServer so that CNAME targets are looked up through the chain.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "core/dns/reply.h"

#include "core/dns/types.h"
#include "plugins/template/template.h"
#include "tests/support/handler_test.h"
#include "tests/support/plugin_setup.h"

using namespace coredns;
using namespace coredns::testing;

namespace coredns::plugins {
const PluginDef& plugin_template();
}

namespace {

struct Outcome {
  bool passed = false;
  bool written = false;
  uint16_t rcode = 0;
  std::string error;
  std::vector<uint8_t> wire;
  dns::MessageView msg;
};

// Runs `body` for a block of `zone`, the template handler then a stub that answers A 192.0.2.99
// for anything it gets (so CNAME targets resolve and passed-on queries are seen).
Outcome ask(const std::string& body, const char* qname, uint16_t qtype, bool edns = true,
            const char* zone = ".", uint16_t qclass = dns::cls::IN) {
  auto setup = run_setup(plugins::plugin_template(), "template", body, {zone});
  REQUIRE(setup.error == "");
  Handler& h = *setup.handlers.at(0);
  Stub next([](const Request& r) {
    if (r.qtype() != dns::type::A) return Response::unwritten(dns::rcode::SERVFAIL, "passed");
    std::vector<uint8_t> out;
    dns::Header hd = dns::reply_header(r.msg());
    dns::MessageBuilder b(out, hd);
    b.add_question_from(r.msg());
    const uint8_t a[4] = {192, 0, 2, 99};
    b.add_record(dns::Section::answer, r.qname(), dns::type::A, dns::cls::IN, 30, a);
    b.finish();
    Response resp = Response::reply(std::move(out), 0, "stub");
    resp.error = "passed";
    return resp;
  });
  ChainServer server("dns://:53", {&h, &next});
  QueryOptions o;
  o.edns = edns;
  o.udp_size = 1232;
  auto q = make_query(qname, qtype, o);
  if (qclass != dns::cls::IN) {
    q[q.size() - (edns ? 11 : 0) - 2] = static_cast<uint8_t>(qclass >> 8);
    q[q.size() - (edns ? 11 : 0) - 1] = static_cast<uint8_t>(qclass);
  }
  Request req(q, Transport::udp, endpoint("10.240.0.1", 5300), endpoint("127.0.0.1", 53), &server);
  Response r = run(h, req, {&next});
  Outcome out;
  out.passed = r.error == "passed";
  out.written = r.written() && !out.passed;
  out.rcode = r.rcode;
  out.error = r.error;
  out.wire = r.wire;
  if (out.written) {
    REQUIRE(out.msg.parse(out.wire) == dns::MessageView::Error::none);
  }
  return out;
}

std::vector<std::string> records(const Outcome& o, dns::Section s) {
  std::vector<std::string> out;
  for (const auto& rr : o.msg.records(s)) {
    dns::Name owner;
    dns::read_name(o.wire, rr.offset, &owner);
    std::string text = owner.to_text() + " " + std::to_string(rr.ttl) + " " + dns::type_name(rr.type);
    if (rr.type == dns::type::A)
      text += fmt::format(" {}.{}.{}.{}", o.wire[rr.rdata_offset], o.wire[rr.rdata_offset + 1],
                          o.wire[rr.rdata_offset + 2], o.wire[rr.rdata_offset + 3]);
    if (rr.type == dns::type::CNAME) {
      dns::Name t;
      dns::read_name(o.wire, rr.rdata_offset, &t);
      text += " " + t.to_text();
    }
    out.push_back(text);
  }
  return out;
}

const char* kIp = "template ANY ANY {\n"
                  " match \"(^|[.])ip-10-(?P<b>[0-9]*)-(?P<c>[0-9]*)-(?P<d>[0-9]*)[.]example[.]$\"\n"
                  " answer \"{{ .Name }} 60 IN A 10.{{ .Group.b }}.{{ .Group.c }}.{{ .Group.d }}\"\n"
                  " fallthrough\n}";

}  // namespace

TEST_CASE("template: regex groups answer, other names fall through") {
  Outcome a = ask(kIp, "ip-10-95-12-8.example.", dns::type::A);
  REQUIRE(a.written);
  CHECK(a.msg.header().has(dns::Header::AA));
  CHECK(a.msg.header().rcode() == dns::rcode::NOERROR);
  CHECK(records(a, dns::Section::answer) == std::vector<std::string>{"ip-10-95-12-8.example. 60 A 10.95.12.8"});
  CHECK(ask(kIp, "test.invalid.", dns::type::A).passed);
  // A mixed-case query gets a lower-case owner (.Name is lower-cased), as CoreDNS.
  Outcome m = ask(kIp, "IP-10-1-2-3.Example.", dns::type::A);
  CHECK(records(m, dns::Section::answer) == std::vector<std::string>{"ip-10-1-2-3.example. 60 A 10.1.2.3"});
}

TEST_CASE("template: class and type matching, ANY queries") {
  const std::string a_only = "template IN A {\n answer \"{{ .Name }} IN {{ .Type }} 10.0.0.1\"\n}";
  CHECK(records(ask(a_only, "x.", dns::type::A), dns::Section::answer) ==
        std::vector<std::string>{"x. 3600 A 10.0.0.1"});
  CHECK(ask(a_only, "x.", dns::type::AAAA).passed);
  // A query of type ANY matches, and .Type is then the template's type.
  CHECK(records(ask(a_only, "x.", dns::type::ANY), dns::Section::answer) ==
        std::vector<std::string>{"x. 3600 A 10.0.0.1"});
}

TEST_CASE("template: no regex match without fallthrough is SERVFAIL; later templates not tried") {
  const std::string body = "template IN MX example {\n match ^ip-10-\n answer \"{{ .Name }} 60 IN MX 10 mx.\"\n}\n"
                           "template IN MX example {\n answer \"{{ .Name }} 60 IN MX 20 mx.\"\n}";
  Outcome o = ask(body, "something.example.", dns::type::MX);
  CHECK_FALSE(o.written);
  CHECK_FALSE(o.passed);
  CHECK(o.rcode == dns::rcode::SERVFAIL);
  const std::string ft = "template IN TXT {\n match \"$^\"\n rcode SERVFAIL\n fallthrough\n}";
  CHECK(ask(ft, "some.test.", dns::type::TXT).passed);
  // The first template falls through for the name: the second answers.
  const std::string two = "template IN A example. {\n match ^b\n fallthrough\n}\n"
                          "template IN A example. {\n answer \"{{ .Name }} 60 A 10.0.0.2\"\n}";
  CHECK(records(ask(two, "a.example.", dns::type::A), dns::Section::answer) ==
        std::vector<std::string>{"a.example. 60 A 10.0.0.2"});
  // A fallthrough limited to another zone does not cover the name.
  const std::string other = "template IN A example. {\n match ^b\n fallthrough other.example.\n}";
  CHECK(ask(other, "a.example.", dns::type::A).rcode == dns::rcode::SERVFAIL);
  CHECK(ask(other, "a.example.", dns::type::A).written == false);
}

TEST_CASE("template: rcodes, authority, additional, EDE") {
  Outcome r = ask("template IN A {\n rcode REFUSED\n}", "some.test.", dns::type::A);
  // Written once, AA set (CoreDNS also returns REFUSED and so sends a second reply).
  REQUIRE(r.written);
  CHECK(r.msg.header().rcode() == dns::rcode::REFUSED);
  CHECK(r.msg.header().has(dns::Header::AA));
  Outcome sf = ask("template IN A {\n rcode SERVFAIL\n answer \"x. A 1.2.3.4\"\n}", "x.", dns::type::A);
  CHECK_FALSE(sf.written);
  CHECK(sf.rcode == dns::rcode::SERVFAIL);

  const std::string inv = "template ANY ANY invalid {\n rcode NXDOMAIN\n"
                          " authority \"invalid. 60 {{ .Class }} SOA ns.invalid. hostmaster.invalid. (1 60 60 60 60)\"\n"
                          " additional \"ns.invalid. 60 A 192.0.2.1\"\n"
                          " ederror 21 \"Blocked according to RFC2606\"\n}";
  Outcome n = ask(inv, "x.invalid.", dns::type::A);
  REQUIRE(n.written);
  CHECK(n.msg.header().rcode() == dns::rcode::NXDOMAIN);
  CHECK(records(n, dns::Section::authority) == std::vector<std::string>{"invalid. 60 SOA"});
  CHECK(records(n, dns::Section::additional) ==
        std::vector<std::string>{"ns.invalid. 60 A 192.0.2.1", ". 0 OPT"});
  REQUIRE(n.msg.opt());
  const auto opts = n.msg.opt()->options;
  REQUIRE(opts.size() == 4 + 2 + 28);
  CHECK(opts[0] == 0);
  CHECK(opts[1] == 15);
  CHECK(opts[5] == 21);
  CHECK_FALSE(n.msg.opt()->do_bit());
  // No OPT to a client that sent none (RFC 6891 §7).
  Outcome plain = ask(inv, "x.invalid.", dns::type::A, false);
  REQUIRE(plain.written);
  CHECK(plain.msg.opt() == nullptr);
}

TEST_CASE("template: CNAME targets are looked up through the server") {
  const std::string body = "template IN ANY {\n match ^cname[.]test[.]$\n"
                           " answer \"cname.test. 600 IN CNAME test.up\"\n fallthrough\n}";
  Outcome o = ask(body, "cname.test.", dns::type::A);
  REQUIRE(o.written);
  CHECK(records(o, dns::Section::answer) ==
        std::vector<std::string>{"cname.test. 600 CNAME test.up.", "test.up. 30 A 192.0.2.99"});
  // Not for other query types.
  Outcome t = ask(body, "cname.test.", dns::type::TXT);
  CHECK(records(t, dns::Section::answer) == std::vector<std::string>{"cname.test. 600 CNAME test.up."});
  // A template answering its own target with a CNAME stops at the lookup depth bound.
  const std::string loop = "template IN A {\n answer \"{{ .Name }} 60 IN CNAME a.{{ .Name }}\"\n}";
  Outcome l = ask(loop, "x.", dns::type::A);
  REQUIRE(l.written);
  CHECK(records(l, dns::Section::answer).size() == 5);
}

TEST_CASE("template: rendering failures are SERVFAIL with the error; empty text adds nothing") {
  Outcome e = ask("template IN A {\n match (test)\n answer \"{{ index .Match 2 }}\"\n}", "test.", dns::type::A);
  CHECK_FALSE(e.written);
  CHECK(e.rcode == dns::rcode::SERVFAIL);
  CHECK(e.error.find("error calling index: index out of range: 2") != std::string::npos);
  Outcome bad = ask("template IN A {\n answer \"{{ .Name }}\"\n}", "test.example.", dns::type::A);
  CHECK(bad.rcode == dns::rcode::SERVFAIL);
  CHECK(bad.error.starts_with("dns: "));
  Outcome empty = ask("template IN A {\n answer \"{{ if eq .Name \\\"x.\\\" }}x. A 1.1.1.1{{ end }}\"\n}",
                      "y.", dns::type::A);
  REQUIRE(empty.written);
  CHECK(empty.msg.header().ancount == 0);
  CHECK(empty.msg.header().has(dns::Header::AA));
}
