#include <catch2/catch.hpp>

#include <unistd.h>

#include <set>

#include "core/dns/builder.h"
#include "core/dns/types.h"
#include "core/dns/wire.h"
#include "plugins/chaos/chaos.h"
#include "tests/support/handler_test.h"
#include "tests/support/plugin_setup.h"

using namespace coredns;
using namespace coredns::testing;
using plugins::chaos::Chaos;

namespace coredns::plugins {
const PluginDef& plugin_chaos();
}

namespace {

std::vector<uint8_t> chaos_query(const char* qname, uint16_t qtype = dns::type::TXT,
                                 uint16_t qclass = dns::cls::CH) {
  dns::Header h;
  h.id = 77;
  h.set(dns::Header::RD);
  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, h);
  b.add_question(name(qname), qtype, qclass);
  b.finish();
  return out;
}

// The TXT strings of the answer section, in order.
std::vector<std::string> txts(const std::vector<uint8_t>& reply) {
  dns::MessageView v = parse(reply);
  std::vector<std::string> out;
  for (const auto& rr : v.records(dns::Section::answer)) {
    const uint8_t* p = reply.data() + rr.rdata_offset;
    out.emplace_back(reinterpret_cast<const char*>(p + 1), p[0]);
  }
  return out;
}

std::shared_ptr<Chaos> handler(const std::string& line) {
  auto run = run_setup(plugins::plugin_chaos(), "chaos", line);
  REQUIRE(run.error == "");
  return std::dynamic_pointer_cast<Chaos>(run.handlers.at(0));
}

Response serve(Chaos& c, const std::vector<uint8_t>& q) {
  Request req(q, Transport::udp, endpoint("127.0.0.1", 5300), endpoint("127.0.0.1", 53), nullptr);
  PassedOn next;
  return run(c, req, {&next});
}

}  // namespace

TEST_CASE("chaos setup: arguments, the block and the defaults") {
  CHECK(run_setup(plugins::plugin_chaos(), "chaos", "chaos v2 {\n unknown\n}").error ==
        "plugin/chaos: Corefile:2 - Error during parsing: unknown property 'unknown'");
  auto c = handler("chaos");
  auto q = chaos_query("version.bind.");
  CHECK(txts(serve(*c, q).wire) == std::vector<std::string>{"CoreDNS-1.14.7"});
  auto a = txts(serve(*c, chaos_query("authors.bind.")).wire);
  CHECK(a.size() == 29);
  CHECK(std::set<std::string>(a.begin(), a.end()).count("miekg") == 1);
}

TEST_CASE("chaos answers version.bind and version.server with the configured version, TTL 0") {
  auto c = handler("chaos CoreDNS-001");
  for (const char* n : {"version.bind.", "VERSION.Server."}) {
    auto r = serve(*c, chaos_query(n));
    REQUIRE(r.written());
    dns::MessageView v = parse(r.wire);
    CHECK(v.header().rcode() == dns::rcode::NOERROR);
    CHECK_FALSE(v.header().has(dns::Header::AA));
    CHECK_FALSE(v.header().has(dns::Header::RA));
    CHECK(v.header().has(dns::Header::RD));
    auto rr = *v.records(dns::Section::answer).begin();
    CHECK(rr.ttl == 0);
    CHECK(rr.rclass == dns::cls::CH);
    dns::Name owner;
    dns::read_name(v.bytes(), rr.offset, &owner);
    CHECK(owner.to_text() == n);  // as sent, case kept
    CHECK(txts(r.wire) == std::vector<std::string>{"CoreDNS-001"});
  }
}

TEST_CASE("chaos authors: given ones sorted and unique, all of them in some order") {
  auto c = handler("chaos v1 zed \"Miek Gieben\" alice zed");
  Request req(chaos_query("authors.bind."), Transport::udp, endpoint("127.0.0.1", 1),
              endpoint("127.0.0.1", 53), nullptr);
  auto a = txts(c->answer(req, 1));
  CHECK(std::multiset<std::string>(a.begin(), a.end()) ==
        std::multiset<std::string>{"Miek Gieben", "alice", "zed"});
  // One seed gives one order; the seeds of different seconds give every order eventually.
  CHECK(txts(c->answer(req, 7)) == txts(c->answer(req, 7)));
  std::set<std::vector<std::string>> orders;
  for (uint64_t s = 0; s < 200; ++s) orders.insert(txts(c->answer(req, s)));
  CHECK(orders.size() == 6);
}

TEST_CASE("chaos answers hostname.bind and id.server with the host name") {
  auto run = run_setup(plugins::plugin_chaos(), "chaos", "chaos");
  auto c = std::dynamic_pointer_cast<Chaos>(run.handlers.at(0));
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  CHECK(txts(serve(*c, chaos_query("hostname.bind.")).wire) == std::vector<std::string>{host});
  CHECK(txts(serve(*c, chaos_query("id.server.")).wire) == std::vector<std::string>{host});
}

TEST_CASE("chaos passes on other names, other types and other classes") {
  auto c = handler("chaos v1");
  CHECK(serve(*c, chaos_query("authors.bind.", dns::type::SRV)).error == "passed");
  CHECK(serve(*c, chaos_query("version.bind.", dns::type::TXT, dns::cls::IN)).error == "passed");
  CHECK(serve(*c, chaos_query("foo.bind.")).error == "passed");
  CHECK(serve(*c, chaos_query("bind.")).error == "passed");
  CHECK(c->accepts_any_class());
}

TEST_CASE("chaos truncates the version and authors to one 255-byte TXT string") {
  std::string long_version(300, 'v');
  auto c = handler("chaos " + long_version + " " + std::string(400, 'a'));
  auto v = txts(serve(*c, chaos_query("version.bind.")).wire);
  CHECK(v == std::vector<std::string>{std::string(255, 'v')});
  auto a = txts(serve(*c, chaos_query("authors.bind.")).wire);
  CHECK(a == std::vector<std::string>{std::string(255, 'a')});
}
