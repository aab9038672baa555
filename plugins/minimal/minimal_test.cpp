#include <catch2/catch.hpp>

#include "core/dns/builder.h"
#include "core/dns/types.h"
#include "plugins/minimal/minimal.h"
#include "tests/support/handler_test.h"
#include "tests/support/plugin_setup.h"

using namespace coredns;
using namespace coredns::testing;

namespace coredns::plugins {
const PluginDef& plugin_minimal();
}

namespace {

// A reply to `req` with `answers` A records, `ns` NS records in authority (or one SOA),
// `glue` A records in additional and an OPT with an EDE option.
std::vector<uint8_t> reply(const Request& req, uint16_t rcode, int answers, int ns, bool soa,
                           int glue) {
  dns::Header h;
  h.id = req.id();
  h.set(dns::Header::QR);
  h.set(dns::Header::AA);
  h.set_rcode(rcode);
  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, h);
  b.add_question_from(req.msg());
  for (int i = 0; i < answers; ++i) {
    const uint8_t a[4] = {192, 0, 2, static_cast<uint8_t>(i)};
    b.add_record(dns::Section::answer, req.qname(), dns::type::A, dns::cls::IN, 60, a);
  }
  for (int i = 0; i < ns; ++i)
    b.add_name_record(dns::Section::authority, name("example.org."), dns::type::NS, dns::cls::IN,
                      60, name(("ns" + std::to_string(i) + ".example.org.").c_str()));
  if (soa)
    b.add_record(dns::Section::authority, name("example.org."), dns::type::SOA, dns::cls::IN, 60,
                 std::vector<uint8_t>(22, 0));
  for (int i = 0; i < glue; ++i) {
    const uint8_t a[4] = {198, 51, 100, static_cast<uint8_t>(i)};
    b.add_record(dns::Section::additional,
                 name(("ns" + std::to_string(i) + ".example.org.").c_str()), dns::type::A,
                 dns::cls::IN, 60, a);
  }
  const uint8_t ede[6] = {0, 15, 0, 2, 0, 3};
  b.add_opt(1232, 0, 0, 0, ede);
  b.finish();
  return out;
}

Response through_minimal(Request& req, Response inner) {
  plugins::minimal::Minimal m;
  Stub next([&](const Request&) { return inner; });
  return run(m, req, {&next});
}

struct Fixture {
  std::vector<uint8_t> q = dig_query("www.example.org.", dns::type::A);
  Request req{q, Transport::udp, endpoint("127.0.0.1", 5300), endpoint("127.0.0.1", 53),
              nullptr};
};

}  // namespace

TEST_CASE("minimal setup takes no arguments") {
  CHECK(run_setup(plugins::plugin_minimal(), "minimal", "minimal").error == "");
  CHECK(run_setup(plugins::plugin_minimal(), "minimal", "minimal x").error ==
        "plugin/minimal: Corefile:1 - Error during parsing: Wrong argument count or unexpected "
        "line ending after 'x'");
}

TEST_CASE("minimal keeps only the answer of a positive reply, OPT included in what goes") {
  Fixture f;
  Response r = through_minimal(f.req, Response::reply(reply(f.req, 0, 1, 4, false, 8), 0, "x"));
  dns::MessageView v = parse(r.wire);
  CHECK(v.header().ancount == 1);
  CHECK(v.header().nscount == 0);
  CHECK(v.header().arcount == 0);
  CHECK(v.opt() == nullptr);
  CHECK(v.header().has(dns::Header::AA));
  CHECK(v.header().id == 24311);
  CHECK(v.question_name().to_text() == "www.example.org.");
  CHECK(r.plugin == "x");
  auto rr = *v.records(dns::Section::answer).begin();
  CHECK(r.wire[rr.rdata_offset] == 192);
  CHECK(r.wire.size() == rr.end());
}

TEST_CASE("minimal also strips an empty NOERROR without SOA (hosts' NODATA)") {
  Fixture f;
  Response r = through_minimal(f.req, Response::reply(reply(f.req, 0, 0, 0, false, 2), 0));
  dns::MessageView v = parse(r.wire);
  CHECK(v.header().arcount == 0);
}

TEST_CASE("minimal leaves delegations, NODATA, NXDOMAIN and errors as they are") {
  Fixture f;
  struct Case {
    uint16_t rcode;
    int answers, ns;
    bool soa;
  };
  for (Case c : {Case{0, 0, 4, false, }, Case{0, 0, 0, true}, Case{3, 0, 0, true},
                 Case{2, 1, 4, false}, Case{5, 1, 0, false}}) {
    auto wire = reply(f.req, c.rcode, c.answers, c.ns, c.soa, 8);
    Response r = through_minimal(f.req, Response::reply(wire, c.rcode));
    CHECK(r.wire == wire);
  }
}

TEST_CASE("minimal passes failures on without writing") {
  Fixture f;
  Response r = through_minimal(f.req, Response::unwritten(dns::rcode::SERVFAIL));
  CHECK_FALSE(r.written());
  CHECK(r.rcode == dns::rcode::SERVFAIL);
  // A reply captured with an error is dropped, as CoreDNS drops what its nonwriter holds.
  Response with_error = Response::reply(reply(f.req, 2, 1, 0, false, 0), 2);
  with_error.error = "plugin/forward: timeout";
  r = through_minimal(f.req, with_error);
  CHECK_FALSE(r.written());
  CHECK(r.rcode == dns::rcode::SERVFAIL);
  CHECK(r.error == "plugin/forward: timeout");
}
