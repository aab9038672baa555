#include <catch2/catch.hpp>

#include <set>

#include "core/dns/builder.h"
#include "core/dns/types.h"
#include "plugins/loadbalance/loadbalance.h"
#include "tests/support/handler_test.h"
#include "tests/support/plugin_setup.h"

using namespace coredns;
using namespace coredns::testing;
using plugins::loadbalance::LoadBalance;

namespace coredns::plugins {
const PluginDef& plugin_loadbalance();
}

namespace {

std::string setup_error(const std::string& body) {
  return run_setup(plugins::plugin_loadbalance(), "loadbalance", body).error;
}

const std::string kPrefix = "plugin/loadbalance: Corefile:1 - Error during parsing: ";

// A reply to `req` with A records 10.0.0.1..n in the answer, `n` A glue records in additional
// and the client's OPT.
std::vector<uint8_t> reply(const Request& req, int n, uint16_t rcode = 0) {
  dns::Header h;
  h.id = req.id();
  h.set(dns::Header::QR);
  h.set_rcode(rcode);
  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, h);
  b.add_question_from(req.msg());
  for (int i = 1; i <= n; ++i) {
    const uint8_t a[4] = {10, 0, 0, static_cast<uint8_t>(i)};
    b.add_record(dns::Section::answer, req.qname(), dns::type::A, dns::cls::IN, 60, a);
  }
  b.add_name_record(dns::Section::authority, name("example.org."), dns::type::NS, dns::cls::IN,
                    60, name("ns1.example.org."));
  for (int i = 1; i <= n; ++i) {
    const uint8_t a[4] = {192, 0, 2, static_cast<uint8_t>(i)};
    b.add_record(dns::Section::additional, name("ns1.example.org."), dns::type::A, dns::cls::IN,
                 60, a);
  }
  b.add_opt(1232, 0, 0, 0, {});
  b.finish();
  return out;
}

std::vector<int> last_octets(const std::vector<uint8_t>& wire, dns::Section s) {
  dns::MessageView v = parse(wire);
  std::vector<int> out;
  for (const auto& rr : v.records(s))
    if (rr.type == dns::type::A) out.push_back(wire[rr.rdata_offset + 3]);
  return out;
}

struct Fixture {
  std::vector<uint8_t> q = dig_query("www.example.org.", dns::type::A);
  Request req{q, Transport::udp, endpoint("127.0.0.1", 5300), endpoint("127.0.0.1", 53),
              nullptr};
};

uint32_t last(uint32_t n) { return n - 1; }
uint32_t zero(uint32_t) { return 0; }

}  // namespace

TEST_CASE("loadbalance setup: policies and their blocks") {
  CHECK(setup_error("loadbalance") == "");
  CHECK(setup_error("loadbalance round_robin") == "");
  CHECK(setup_error("loadbalance round_robin {\n prefer 10.0.0.0/8 2001:db8::/32\n prefer\n}") ==
        "");
  CHECK(setup_error("loadbalance round_robin a") == kPrefix + "unknown property for round_robin");
  CHECK(setup_error("loadbalance fleeb") == "plugin/loadbalance: unknown policy: fleeb");
  CHECK(setup_error("loadbalance weighted") == kPrefix + "missing weight file argument");
  CHECK(setup_error("loadbalance weighted a b") == kPrefix + "unexpected argument(s)");
  const std::string at2 = "plugin/loadbalance: Corefile:2 - Error during parsing: ";
  CHECK(setup_error("loadbalance weighted w {\n reload\n}") ==
        at2 + "reload duration value is missing");
  CHECK(setup_error("loadbalance weighted w {\n reload 1s 2s\n}") == at2 + "unexpected argument");
  CHECK(setup_error("loadbalance weighted w {\n reload a\n}") ==
        at2 + "invalid reload duration 'a'");
  CHECK(setup_error("loadbalance weighted w {\n prefer 10.0.0.0/8\n}") ==
        at2 + "unknown property 'prefer'");
  CHECK(setup_error("loadbalance round_robin {\n reload 1s\n}") ==
        at2 + "unknown property 'reload'");
  CHECK(setup_error("loadbalance {\n prefer 10.0.0.1\n}") ==
        at2 + "invalid CIDR \"10.0.0.1\": invalid CIDR address: 10.0.0.1");
  CHECK(setup_error("loadbalance weighted /nonexistent/weights {\n reload 0s\n}") ==
        "plugin/loadbalance: weight file open error");
}

TEST_CASE("loadbalance shuffles answer and additional, keeps the OPT last") {
  Fixture f;
  LoadBalance lb({}, nullptr);
  auto wire = reply(f.req, 3);
  CHECK(lb.reorder(f.req, wire, zero));  // Fisher-Yates drawing 0 each time: 1,2,3 -> 2,3,1
  CHECK(last_octets(wire, dns::Section::answer) == std::vector<int>{2, 3, 1});
  CHECK(last_octets(wire, dns::Section::additional) == std::vector<int>{2, 3, 1});
  dns::MessageView v = parse(wire);
  CHECK(v.header().id == 24311);
  CHECK(v.header().nscount == 1);
  REQUIRE(v.opt() != nullptr);
  CHECK(v.opt()->end == wire.size());

  std::set<std::vector<int>> seen;
  for (int i = 0; i < 200; ++i) {
    auto w = reply(f.req, 3);
    Stub next([&](const Request&) { return Response::reply(w, 0); });
    seen.insert(last_octets(run(lb, f.req, {&next}).wire, dns::Section::answer));
  }
  CHECK(seen.size() == 6);
}

TEST_CASE("loadbalance leaves errors, zone transfers and short sections alone") {
  Fixture f;
  LoadBalance lb({}, nullptr);
  auto nx = reply(f.req, 3, dns::rcode::NXDOMAIN);
  auto copy = nx;
  CHECK_FALSE(lb.reorder(f.req, nx, zero));
  CHECK(nx == copy);
  auto axfr_q = plain_query("example.org.", dns::type::AXFR);
  Request axfr(axfr_q, Transport::tcp, endpoint("127.0.0.1", 1), endpoint("127.0.0.1", 53), nullptr);
  auto x = reply(axfr, 3);
  copy = x;
  CHECK_FALSE(lb.reorder(axfr, x, zero));
  CHECK(x == copy);
  auto one = reply(f.req, 1);
  copy = one;
  CHECK_FALSE(lb.reorder(f.req, one, zero));
  CHECK(one == copy);
  Stub fail([](const Request&) { return Response::unwritten(dns::rcode::SERVFAIL, "x"); });
  CHECK(run(lb, f.req, {&fail}).error == "x");
}

TEST_CASE("loadbalance prefer orders the shuffled addresses by CIDR") {
  Fixture f;
  CidrList prefer;
  prefer.add(*Cidr::parse("10.0.0.3/32"));
  prefer.add(*Cidr::parse("192.0.2.2/32"));
  LoadBalance lb(prefer, nullptr);
  auto wire = reply(f.req, 3);
  lb.reorder(f.req, wire, last);  // the shuffle keeps the order, prefer moves one up
  CHECK(last_octets(wire, dns::Section::answer) == std::vector<int>{3, 1, 2});
  CHECK(last_octets(wire, dns::Section::additional) == std::vector<int>{2, 1, 3});
}
