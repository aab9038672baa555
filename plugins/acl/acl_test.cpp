#include <catch2/catch.hpp>

#include "core/dns/reply.h"
#include "core/dns/types.h"
#include "plugins/acl/acl.h"
#include "tests/support/handler_test.h"
#include "tests/support/plugin_setup.h"

using namespace coredns;
using namespace coredns::testing;

namespace coredns::plugins {
const PluginDef& plugin_acl();
}

namespace {

Response run_handler(Handler& h, Request& req, Handler& next) { return run(h, req, {&next}); }

std::string outcome(const std::string& corefile, const char* source, const char* qname,
                    uint16_t qtype, std::vector<uint8_t>* reply = nullptr, bool edns = true) {
  auto run = run_setup(plugins::plugin_acl(), "acl", corefile, {"example.org"});
  REQUIRE(run.error == "");
  auto q = edns ? dig_query(qname, qtype) : plain_query(qname, qtype);
  // The server the query arrived on names the metrics' `server` label.
  static const ChainServer server("dns://:53");
  Request req(q, Transport::udp, endpoint(source, 5300), endpoint("127.0.0.1", 53), &server);
  PassedOn next;
  Response r = run_handler(*run.handlers.at(0), req, next);
  if (r.error == "passed") return "passed";
  if (!r.written()) return r.rcode == dns::rcode::NOERROR ? "dropped" : "unwritten";
  if (reply) *reply = r.wire;
  dns::MessageView v = parse(r.wire);
  CHECK(v.header().ancount == 0);
  CHECK(v.header().nscount == 0);
  CHECK_FALSE(v.header().has(dns::Header::AA));
  CHECK(r.rcode == v.header().rcode());
  if (v.header().rcode() == dns::rcode::REFUSED) return "refused";
  if (v.header().rcode() == dns::rcode::NOERROR) return "filtered";
  return "rcode " + std::to_string(v.header().rcode());
}

}  // namespace

TEST_CASE("acl: type and net of one policy") {
  const std::string rule = "acl example.org {\n block type A net 192.168.0.0/16\n}";
  CHECK(outcome(rule, "192.168.0.2", "www.example.org.", dns::type::A) == "refused");
  CHECK(outcome(rule, "192.167.0.2", "www.example.org.", dns::type::A) == "passed");
  CHECK(outcome(rule, "192.168.0.2", "www.example.org.", dns::type::AAAA) == "passed");
  const std::string any_type = "acl example.org {\n block type * net 192.168.0.0/16\n}";
  CHECK(outcome(any_type, "192.168.0.2", "www.example.org.", dns::type::AAAA) == "refused");
  const std::string any_net = "acl example.org {\n block type A\n}";
  CHECK(outcome(any_net, "10.1.0.2", "www.example.org.", dns::type::A) == "refused");
  CHECK(outcome(any_net, "10.1.0.2", "www.example.org.", dns::type::AAAA) == "passed");
  const std::string host = "acl example.org {\n block type A net 192.168.1.2\n}";
  CHECK(outcome(host, "192.168.1.2", "www.example.org.", dns::type::A) == "refused");
  CHECK(outcome(host, "192.168.1.3", "www.example.org.", dns::type::A) == "passed");
}

TEST_CASE("acl: first matching policy wins; allow ends the evaluation") {
  CHECK(outcome("acl {\n filter type A net 192.168.0.0/16\n}", "192.168.0.2", "www.example.org.",
                dns::type::A) == "filtered");
  const std::string allow_then_block = "acl {\n allow net 192.168.0.0/16\n block\n}";
  CHECK(outcome(allow_then_block, "192.168.0.2", "www.example.org.", dns::type::A) == "passed");
  CHECK(outcome(allow_then_block, "10.1.0.2", "www.example.org.", dns::type::A) == "refused");
  CHECK(outcome("acl {\n drop net 192.168.0.0/16\n}", "192.168.0.2", "www.example.org.",
                dns::type::A) == "dropped");
  CHECK(outcome("acl {\n block net 192.168.1.0/24\n drop net 192.168.0.0/16\n}", "192.168.1.2",
                "www.example.org.", dns::type::A) == "refused");
  CHECK(outcome("acl {\n drop net 192.168.0.0/16\n block net 192.168.1.0/24\n}", "192.168.1.1",
                "www.example.org.", dns::type::A) == "dropped");
  const std::string drop_a = "acl {\n drop type A\n allow net 192.168.0.0/16\n}";
  CHECK(outcome(drop_a, "192.168.1.1", "www.example.org.", dns::type::A) == "dropped");
  CHECK(outcome(drop_a, "192.168.1.1", "www.example.org.", dns::type::AAAA) == "passed");
  // allow in an earlier rule stops later rules too.
  CHECK(outcome("acl {\n allow net 10.0.0.0/8\n}\nacl {\n block\n}", "10.0.0.1",
                "www.example.org.", dns::type::A) == "passed");
  CHECK(outcome("acl {\n allow net 10.0.0.0/8\n}\nacl {\n block\n}", "11.0.0.1",
                "www.example.org.", dns::type::A) == "refused");
}

TEST_CASE("acl: rules apply to their zones only") {
  const std::string a = "acl a.example.org {\n block type * net 192.168.1.0/24\n}";
  CHECK(outcome(a, "192.168.1.2", "a.example.org.", dns::type::A) == "refused");
  CHECK(outcome(a, "192.168.1.2", "x.A.Example.ORG.", dns::type::A) == "refused");
  CHECK(outcome(a, "192.168.1.2", "www.example.org.", dns::type::A) == "passed");
  CHECK(outcome("acl {\n block net 192.168.1.0/24\n}", "192.168.1.2", "a.example.com.",
                dns::type::A) == "passed");
  const std::string two = "acl a.example.org {\n block net 192.168.1.0/24\n}\n"
                          "acl b.example.org {\n block type * net 192.168.2.0/24\n}";
  CHECK(outcome(two, "192.168.2.2", "b.example.org.", dns::type::A) == "refused");
  CHECK(outcome(two, "192.168.1.2", "b.example.org.", dns::type::A) == "passed");
}

TEST_CASE("acl: IPv6 sources and IPv4-mapped networks") {
  CHECK(outcome("acl {\n block net 2001:db8:abcd:0012::0/64\n}", "2001:db8:abcd:12::1230",
                "www.example.org.", dns::type::A) == "refused");
  CHECK(outcome("acl {\n drop net 2001:db8:abcd:0012::0/64\n"
                " block net 2001:db8:abcd:0012:8000::/66\n}",
                "2001:db8:abcd:12:8000::1", "www.example.org.", dns::type::AAAA) == "dropped");
  const std::string one = "acl {\n block type AAAA net 2001:0db8:85a3:0000:0000:8a2e:0370:7334\n}";
  CHECK(outcome(one, "2001:db8:85a3::8a2e:370:7334", "www.example.org.", dns::type::AAAA) ==
        "refused");
  CHECK(outcome(one, "2001:db8:85a3::8a2e:370:7335", "www.example.org.", dns::type::AAAA) ==
        "passed");
  CHECK(outcome("acl {\n block net ::ffff:10.0.0.0/104\n}", "10.1.2.3", "www.example.org.",
                dns::type::A) == "refused");
  CHECK(outcome("acl {\n block net 10.0.0.0/8\n}", "::1", "www.example.org.", dns::type::A) ==
        "passed");
}

TEST_CASE("acl: the block and filter replies carry an EDE for EDNS clients only") {
  std::vector<uint8_t> reply;
  CHECK(outcome("acl {\n block\n}", "10.0.0.1", "WWW.example.org.", dns::type::A, &reply) ==
        "refused");
  dns::MessageView v = parse(reply);
  CHECK(v.header().id == 24311);
  CHECK(v.header().has(dns::Header::RD));
  CHECK_FALSE(v.header().has(dns::Header::RA));
  CHECK(v.question_name().to_text() == "WWW.example.org.");
  REQUIRE(v.opt() != nullptr);
  CHECK_FALSE(v.opt()->do_bit());  // dig's query had no DO; CoreDNS sets it anyway
  CHECK(std::vector<uint8_t>(v.opt()->options.begin(), v.opt()->options.end()) ==
        dns::ede_option(dns::ede::BLOCKED));

  CHECK(outcome("acl {\n filter\n}", "10.0.0.1", "www.example.org.", dns::type::A, &reply) ==
        "filtered");
  dns::MessageView f = parse(reply);
  REQUIRE(f.opt() != nullptr);
  CHECK(std::vector<uint8_t>(f.opt()->options.begin(), f.opt()->options.end()) ==
        dns::ede_option(dns::ede::FILTERED));

  CHECK(outcome("acl {\n block\n}", "10.0.0.1", "www.example.org.", dns::type::A, &reply,
                false) == "refused");
  CHECK(parse(reply).opt() == nullptr);
  CHECK(parse(reply).header().arcount == 0);
}

TEST_CASE("acl counts blocked, filtered and dropped by zone, allowed by server") {
  auto& reg = metrics::Registry::global();
  auto value = [&](const char* metric, metrics::Labels labels) {
    return reg.counter(metric, "", labels.size() == 3 ? metrics::Labels{"server", "view", "zone"}
                                                      : metrics::Labels{"server", "view"})
        .with(labels)
        .value();
  };
  const uint64_t blocked = value("coredns_acl_blocked_requests_total", {"dns://:53", "", "a.example.org."});
  const uint64_t dropped = value("coredns_acl_dropped_requests_total", {"dns://:53", "", "example.org."});
  const uint64_t allowed = value("coredns_acl_allowed_requests_total", {"dns://:53", ""});
  const std::string rules = "acl a.example.org example.org {\n block net 10.0.0.0/8\n"
                            " drop net 11.0.0.0/8\n}";
  outcome(rules, "10.0.0.1", "x.a.example.org.", dns::type::A);
  outcome(rules, "11.0.0.1", "x.example.org.", dns::type::A);
  outcome(rules, "12.0.0.1", "x.example.org.", dns::type::A);
  outcome(rules, "10.0.0.1", "x.example.com.", dns::type::A);
  CHECK(value("coredns_acl_blocked_requests_total", {"dns://:53", "", "a.example.org."}) ==
        blocked + 1);
  CHECK(value("coredns_acl_dropped_requests_total", {"dns://:53", "", "example.org."}) ==
        dropped + 1);
  CHECK(value("coredns_acl_allowed_requests_total", {"dns://:53", ""}) == allowed + 2);
}

TEST_CASE("acl with no plugin after it: SERVFAIL whose error names acl, not the query") {
  auto setup = run_setup(plugins::plugin_acl(), "acl", "acl {\n block net 10.0.0.0/8\n}",
                         {"example.org"});
  REQUIRE(setup.error == "");
  auto q = dig_query("www.example.org.", dns::type::A);
  Request req(q, Transport::udp, endpoint("127.0.0.1", 5300), endpoint("127.0.0.1", 53), nullptr);
  Response r = run(*setup.handlers.at(0), req, {});
  CHECK_FALSE(r.written());
  CHECK(r.rcode == dns::rcode::SERVFAIL);
  CHECK(r.error == "plugin/acl: no next plugin found");
}

TEST_CASE("acl: admits() says what serving would do, for dns64's kept answers") {
  const std::string rules = "acl example.org {\n allow net 10.0.0.0/8\n block type A\n}\n"
                            "acl {\n drop net 192.168.0.0/16\n}";
  auto run = run_setup(plugins::plugin_acl(), "acl", rules, {"example.org"});
  REQUIRE(run.error == "");
  Handler& acl = *run.handlers.at(0);
  CHECK(acl.reply_reuse() == Handler::Reuse::gate);
  static const ChainServer server("dns://:53");
  for (const char* source : {"10.0.0.1", "11.0.0.1", "192.168.0.1", "::1"})
    for (uint16_t qtype : {dns::type::A, dns::type::AAAA}) {
      CAPTURE(source, qtype);
      auto q = dig_query("www.example.org.", qtype);
      Request req(q, Transport::udp, endpoint(source, 5300), endpoint("127.0.0.1", 53), &server);
      const bool passed = outcome(rules, source, "www.example.org.", qtype) == "passed";
      CHECK(acl.admits(req, qtype) == passed);
    }
}
