#include <catch2/catch.hpp>

#include "core/dns/types.h"
#include "core/metrics/metrics.h"
#include "plugins/local/local.h"
#include "tests/support/handler_test.h"
#include "tests/support/plugin_setup.h"

using namespace coredns;
using namespace coredns::testing;
using plugins::local::Local;

namespace coredns::plugins {
const PluginDef& plugin_local();
}

namespace {

struct Rr {
  std::string owner;
  uint16_t type;
  std::string rdata_text;  // A/AAAA as raw bytes count, names as text
};

struct Result {
  bool passed = false;
  uint16_t rcode = 0;
  std::vector<std::pair<std::string, uint16_t>> answer, authority;
  std::vector<uint8_t> wire;
};

std::string owner_of(const dns::MessageView& v, const dns::RecordView& rr) {
  dns::Name n;
  dns::read_name(v.bytes(), rr.offset, &n);
  return n.to_text();
}

Result ask(Local& h, const char* qname, uint16_t qtype) {
  auto q = plain_query(qname, qtype);
  Request req(q, Transport::udp, endpoint("127.0.0.1", 5300), endpoint("127.0.0.1", 53), nullptr);
  PassedOn next;
  Response r = run(h, req, {&next});
  Result out;
  if (r.error == "passed") {
    out.passed = true;
    return out;
  }
  out.wire = r.wire;
  dns::MessageView v = parse(out.wire);
  out.rcode = v.header().rcode();
  CHECK(r.rcode == out.rcode);
  CHECK_FALSE(v.header().has(dns::Header::AA));
  CHECK_FALSE(v.header().has(dns::Header::RA));
  for (const auto& rr : v.records(dns::Section::answer)) {
    out.answer.emplace_back(owner_of(v, rr), rr.type);
    CHECK(rr.ttl == 604800);
  }
  for (const auto& rr : v.records(dns::Section::authority)) {
    out.authority.emplace_back(owner_of(v, rr), rr.type);
    CHECK(rr.ttl == 604800);
  }
  return out;
}

using Owners = std::vector<std::pair<std::string, uint16_t>>;

std::vector<uint8_t> first_rdata(const std::vector<uint8_t>& wire, dns::Section s) {
  dns::MessageView v = parse(wire);
  auto rr = *v.records(s).begin();
  return {wire.begin() + static_cast<long>(rr.rdata_offset),
          wire.begin() + static_cast<long>(rr.end())};
}

}  // namespace

TEST_CASE("local setup: no arguments, localhost_prefix on|off") {
  auto& setup = plugins::plugin_local();
  CHECK(run_setup(setup, "local", "local").error == "");
  CHECK(run_setup(setup, "local", "local x").error ==
        "plugin/local: Corefile:1 - Error during parsing: Wrong argument count or unexpected "
        "line ending after 'x'");
  CHECK(run_setup(setup, "local", "local {\n localhost_prefix\n}").error ==
        "plugin/local: Corefile:2 - Error during parsing: Wrong argument count or unexpected "
        "line ending after 'localhost_prefix'");
  CHECK(run_setup(setup, "local", "local {\n localhost_prefix maybe\n}").error ==
        "plugin/local: Corefile:2 - Error during parsing: localhost_prefix expects 'on' or "
        "'off', got \"maybe\"");
  CHECK(run_setup(setup, "local", "local {\n other\n}").error ==
        "plugin/local: Corefile:2 - Error during parsing: unknown property 'other'");
  auto off = run_setup(setup, "local", "local {\n localhost_prefix off\n}");
  REQUIRE(off.error == "");
  CHECK(ask(*off.handler<Local>(), "localhost.example.net.", dns::type::A).passed);
}

TEST_CASE("local answers localhost. A and AAAA, owner as sent") {
  Local h(true);
  auto r = ask(h, "localHOst.", dns::type::A);
  CHECK(r.answer == Owners{{"localHOst.", dns::type::A}});
  CHECK(first_rdata(r.wire, dns::Section::answer) == std::vector<uint8_t>{127, 0, 0, 1});
  r = ask(h, "localhost.", dns::type::AAAA);
  CHECK(r.answer == Owners{{"localhost.", dns::type::AAAA}});
  std::vector<uint8_t> v6(16, 0);
  v6[15] = 1;
  CHECK(first_rdata(r.wire, dns::Section::answer) == v6);
}

TEST_CASE("local apexes: SOA and NS answers, NODATA with the apex's SOA otherwise") {
  Local h(true);
  auto r = ask(h, "localhost.", dns::type::SOA);
  CHECK(r.answer == Owners{{"localhost.", dns::type::SOA}});
  // MNAME localhost., RNAME root.localhost., 1 0 0 0 604800
  auto soa = first_rdata(r.wire, dns::Section::answer);
  REQUIRE(soa.size() == 11 + 16 + 20);
  CHECK(std::vector<uint8_t>(soa.end() - 4, soa.end()) == std::vector<uint8_t>{0, 9, 0x3a, 0x80});
  CHECK(std::vector<uint8_t>(soa.end() - 20, soa.end() - 16) == std::vector<uint8_t>{0, 0, 0, 1});

  r = ask(h, "127.IN-addr.arpa.", dns::type::NS);
  CHECK(r.answer == Owners{{"127.IN-addr.arpa.", dns::type::NS}});
  r = ask(h, "127.in-addr.arpa.", dns::type::A);
  CHECK(r.rcode == dns::rcode::NOERROR);
  CHECK(r.answer.empty());
  CHECK(r.authority == Owners{{"127.in-addr.arpa.", dns::type::SOA}});
  r = ask(h, "localhost.", dns::type::MX);
  CHECK(r.answer.empty());
  CHECK(r.authority == Owners{{"localhost.", dns::type::SOA}});
  r = ask(h, "255.in-addr.arpa.", dns::type::TXT);
  CHECK(r.authority == Owners{{"255.in-addr.arpa.", dns::type::SOA}});
}

TEST_CASE("local: names below localhost. get the loopback addresses or NODATA") {
  Local h(true);
  CHECK(ask(h, "a.localhost.", dns::type::A).answer == Owners{{"a.localhost.", dns::type::A}});
  CHECK(ask(h, "a.b.LOCALHOST.", dns::type::AAAA).answer ==
        Owners{{"a.b.LOCALHOST.", dns::type::AAAA}});
  auto r = ask(h, "a.localhost.", dns::type::MX);
  CHECK(r.rcode == dns::rcode::NOERROR);
  CHECK(r.answer.empty());
  CHECK(r.authority == Owners{{"a.localhost.", dns::type::SOA}});
}

TEST_CASE("local: 1.0.0.127.in-addr.arpa. PTR, and NXDOMAIN for the rest of the zones") {
  Local h(true);
  auto r = ask(h, "1.0.0.127.in-addr.arpa.", dns::type::PTR);
  CHECK(r.answer == Owners{{"1.0.0.127.in-addr.arpa.", dns::type::PTR}});
  CHECK(first_rdata(r.wire, dns::Section::answer).size() == 11);  // localhost.
  r = ask(h, "1.0.0.127.in-addr.arpa.", dns::type::MX);
  CHECK(r.answer.empty());
  CHECK(r.authority == Owners{{"127.in-addr.arpa.", dns::type::SOA}});
  r = ask(h, "2.0.0.127.IN-ADDR.arpa.", dns::type::PTR);
  CHECK(r.rcode == dns::rcode::NXDOMAIN);
  CHECK(r.authority == Owners{{"127.IN-ADDR.arpa.", dns::type::SOA}});
  r = ask(h, "foo.0.in-addr.arpa.", dns::type::A);
  CHECK(r.rcode == dns::rcode::NXDOMAIN);
  CHECK(r.authority == Owners{{"0.in-addr.arpa.", dns::type::SOA}});
}

TEST_CASE("local: localhost.<domain> with the prefix on, and what it passes on") {
  auto& counter = metrics::Registry::global()
                      .counter("coredns_local_localhost_requests_total", "", {})
                      .with({});
  const uint64_t before = counter.value();
  Local on(true);
  auto r = ask(on, "localhost.example.net.", dns::type::A);
  CHECK(r.answer == Owners{{"localhost.example.net.", dns::type::A}});
  CHECK(counter.value() == before + 1);
  ask(on, "x.localhost.", dns::type::A);
  CHECK(counter.value() == before + 2);
  ask(on, "localhost.", dns::type::A);  // the name itself is not a "localhost request"
  CHECK(counter.value() == before + 2);

  Local off(false);
  CHECK(ask(off, "localhost.example.net.", dns::type::A).passed);
  CHECK(ask(off, "x.localhost.", dns::type::A).answer == Owners{{"x.localhost.", dns::type::A}});
  for (const char* n : {"example.org.", "localhostx.", "1.in-addr.arpa.", "in-addr.arpa.", "."})
    CHECK(ask(on, n, dns::type::A).passed);
  CHECK(ask(on, "2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.",
            dns::type::PTR).passed);
}

TEST_CASE("local answers the reverse name of ::1 as a zone of its own (RFC 6303)") {
  Local h(true);
  const char* v6 = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.IP6.arpa.";
  auto r = ask(h, v6, dns::type::PTR);
  CHECK(r.answer == Owners{{v6, dns::type::PTR}});
  CHECK(first_rdata(r.wire, dns::Section::answer).size() == 11);  // localhost.
  r = ask(h, v6, dns::type::A);
  CHECK(r.answer.empty());
  CHECK(r.authority == Owners{{v6, dns::type::SOA}});
  r = ask(h, (std::string("x.") + v6).c_str(), dns::type::PTR);
  CHECK(r.rcode == dns::rcode::NXDOMAIN);
  CHECK(r.authority == Owners{{v6, dns::type::SOA}});
}
