#include <catch2/catch.hpp>

#include "core/dns/types.h"
#include "plugins/any/any.h"
#include "tests/support/handler_test.h"
#include "tests/support/plugin_setup.h"

using namespace coredns;
using namespace coredns::testing;

namespace coredns::plugins {
const PluginDef& plugin_any();
}

namespace {

Response serve(const std::vector<uint8_t>& q) {
  Request req(q, Transport::udp, endpoint("127.0.0.1", 5300), endpoint("127.0.0.1", 53), nullptr);
  plugins::any::Any any;
  PassedOn next;
  return run(any, req, {&next});
}

}  // namespace

TEST_CASE("any setup takes no arguments and no block") {
  CHECK(run_setup(plugins::plugin_any(), "any", "any").error == "");
  CHECK(run_setup(plugins::plugin_any(), "any", "any example.org").error ==
        "plugin/any: Corefile:1 - Error during parsing: Wrong argument count or unexpected line "
        "ending after 'example.org'");
  CHECK(run_setup(plugins::plugin_any(), "any", "any {\n foo\n}").error ==
        "plugin/any: Corefile:2 - Error during parsing: unknown property 'foo'");
}

TEST_CASE("any answers ANY with one HINFO, owner as sent, TTL 8482, class IN") {
  auto q = dig_query("WwW.Example.ORG.", dns::type::ANY);
  Response r = serve(q);
  REQUIRE(r.written());
  CHECK(r.rcode == dns::rcode::NOERROR);
  CHECK(r.plugin == "any");
  dns::MessageView v = parse(r.wire);
  CHECK(v.header().id == 24311);
  CHECK(v.header().has(dns::Header::QR));
  CHECK(v.header().has(dns::Header::RD));
  CHECK_FALSE(v.header().has(dns::Header::AA));
  CHECK_FALSE(v.header().has(dns::Header::RA));
  CHECK_FALSE(v.header().has(dns::Header::AD));
  CHECK(v.question_name().to_text() == "WwW.Example.ORG.");
  REQUIRE(v.header().ancount == 1);
  CHECK(v.header().nscount == 0);
  CHECK(v.header().arcount == 0);
  auto rr = *v.records(dns::Section::answer).begin();
  CHECK(rr.type == dns::type::HINFO);
  CHECK(rr.rclass == dns::cls::IN);
  CHECK(rr.ttl == 8482);
  dns::Name owner;
  dns::read_name(v.bytes(), rr.offset, &owner);
  CHECK(owner.to_text() == "WwW.Example.ORG.");
  std::string rdata(reinterpret_cast<const char*>(r.wire.data() + rr.rdata_offset), rr.rdlength);
  CHECK(rdata == std::string("\x0d" "ANY obsoleted" "\x0c" "See RFC 8482"));
}

TEST_CASE("any passes every other type on") {
  for (uint16_t t : {dns::type::A, dns::type::AAAA, dns::type::HINFO, dns::type::AXFR})
    CHECK(serve(plain_query("example.org.", t)).error == "passed");
}
