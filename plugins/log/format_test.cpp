// The log line format: placeholders, parsing quirks and value rendering (CoreDNS's
// plugin/log/README.md and plugin/pkg/replacer).
#include <catch2/catch.hpp>

#include "plugins/log/format.h"
#include "tests/support/handler_test.h"

using namespace coredns;
using namespace coredns::plugins::querylog;
using namespace std::chrono_literals;

namespace {

std::string seconds(std::chrono::nanoseconds d) {
  std::string s;
  append_seconds(s, d);
  return s;
}

std::string flags(uint16_t f) {
  std::string s;
  append_flags(s, f);
  return s;
}

std::string line(std::string_view format, const Request& req, const ReplySummary& r) {
  std::string s;
  render(s, compile(expand_aliases(format)), req, r);
  return s;
}

// The summary of the whoami reply of G1: NOERROR qr,aa,rd, 91 bytes, 99123 ns.
ReplySummary g1_summary() {
  ReplySummary r;
  r.has_message = true;
  r.rcode = 0;
  r.flags = dns::Header::QR | dns::Header::AA | dns::Header::RD;
  r.size = 91;
  r.duration = 99123ns;
  return r;
}

}  // namespace

TEST_CASE("{duration} is Go's shortest decimal seconds, never an exponent") {
  CHECK(seconds(0ns) == "0s");
  CHECK(seconds(99123ns) == "0.000099123s");
  CHECK(seconds(85207ns) == "0.000085207s");
  CHECK(seconds(51300ns) == "0.0000513s");
  CHECK(seconds(1ns) == "0.000000001s");
  CHECK(seconds(1500ms) == "1.5s");
  CHECK(seconds(2s) == "2s");
  CHECK(seconds(123456789012ns) == "123.456789012s");
  CHECK(seconds(999999999ns) == "0.999999999s");
  CHECK(seconds(1000000000ns) == "1s");
  CHECK(seconds(1000000001ns) == "1.000000001s");
  CHECK(seconds(100ms) == "0.1s");
  // Over a second, the double's shortest digits (Python's repr of the same sum agrees).
  CHECK(seconds(std::chrono::nanoseconds(9007199254740993)) == "9007199.254740993s");
}

TEST_CASE("{>rflags} lists the flags in qr,aa,tc,rd,ra,z,ad,cd order") {
  using dns::Header;
  CHECK(flags(Header::QR | Header::AA | Header::RD) == "qr,aa,rd");
  CHECK(flags(Header::QR | Header::RD) == "qr,rd");
  CHECK(flags(0xFFFF & ~0x7800 & ~0xF) == "qr,aa,tc,rd,ra,z,ad,cd");
  CHECK(flags(Header::CD | Header::TC) == "tc,cd");
  CHECK(flags(0) == "");
}

TEST_CASE("{common} and {combined} are expanded textually, also inside other text") {
  CHECK(expand_aliases("{common}") == kCommonFormat);
  CHECK(expand_aliases("{combined}") == std::string(kCommonFormat) + R"( "{>opcode}")");
  CHECK(expand_aliases("x {common} {name}") == "x " + std::string(kCommonFormat) + " {name}");
}

TEST_CASE("format parsing pairs each } with the nearest { before it") {
  auto f = compile("{proto} {name} {type} {>opcode} {foo}");
  REQUIRE(f.size() == 8);
  CHECK(f[0].field == Field::proto);
  CHECK(f[7].field == Field::literal);
  CHECK(f[7].text == " {foo}");

  f = compile("{ {name} }");
  REQUIRE(f.size() == 3);
  CHECK(f[0].text == "{ ");
  CHECK(f[1].field == Field::name);
  CHECK(f[2].text == " }");

  f = compile("A } {name");
  REQUIRE(f.size() == 1);
  CHECK(f[0].text == "A } {name");

  f = compile("{/plugin/label}");
  REQUIRE(f.size() == 1);
  CHECK(f[0].field == Field::metadata);
  CHECK(f[0].text == "plugin/label");
}

TEST_CASE("G1: the default format of a dig query answered by whoami") {
  auto q = testing::dig_query();
  Request req(q, Transport::udp, testing::endpoint("127.0.0.1", 51421),
              testing::endpoint("127.0.0.1", 1053), nullptr);
  CHECK(line("{common}", req, g1_summary()) ==
        R"(127.0.0.1:51421 - 24311 "A IN example.org. udp 52 false 1232" NOERROR qr,aa,rd 91 0.000099123s)");
}

TEST_CASE("G2: over TCP the buffer size is 65535") {
  auto q = testing::dig_query();
  Request req(q, Transport::tcp, testing::endpoint("127.0.0.1", 51421),
              testing::endpoint("127.0.0.1", 1053), nullptr);
  CHECK(line("{common}", req, g1_summary()) ==
        R"(127.0.0.1:51421 - 24311 "A IN example.org. tcp 52 false 65535" NOERROR qr,aa,rd 91 0.000099123s)");
}

TEST_CASE("G3: combined adds the opcode in quotes") {
  auto q = testing::dig_query();
  Request req(q, Transport::udp, testing::endpoint("127.0.0.1", 51421),
              testing::endpoint("127.0.0.1", 1053), nullptr);
  CHECK(line("{combined}", req, g1_summary()) ==
        R"(127.0.0.1:51421 - 24311 "A IN example.org. udp 52 false 1232" NOERROR qr,aa,rd 91 0.000099123s "0")");
}

TEST_CASE("G6: a custom format; unknown placeholders print literally") {
  auto q = testing::dig_query();
  Request req(q, Transport::udp, testing::endpoint("127.0.0.1", 51421),
              testing::endpoint("127.0.0.1", 1053), nullptr);
  CHECK(line("{proto} {name} {type} {>opcode} {foo}", req, g1_summary()) == "udp example.org. A 0 {foo}");
  CHECK(line("{/x} {local} {>id}}", req, g1_summary()) == "- 127.0.0.1 24311}");
}

TEST_CASE("G12/G13: IPv6 clients in brackets; a query without EDNS is 512 bytes of buffer") {
  auto q = testing::plain_query("WWW.Example.ORG.", dns::type::AAAA);
  Request req(q, Transport::udp, testing::endpoint("::1", 40000), testing::endpoint("::1", 53),
              nullptr);
  ReplySummary r;
  r.has_message = true;
  r.rcode = dns::rcode::SERVFAIL;
  r.flags = dns::Header::QR | dns::Header::RD;
  r.size = 33;
  r.duration = 51300ns;
  CHECK(line("{common}", req, r) ==
        R"([::1]:40000 - 4242 "AAAA IN www.example.org. udp 33 false 512" SERVFAIL qr,rd 33 0.0000513s)");
  CHECK(line("{local}", req, r) == "[::1]");
}

TEST_CASE("unknown types, classes and rcodes print as CoreDNS does; no message prints -") {
  testing::QueryOptions o;
  auto q = testing::make_query("example.org.", 65280, o);
  Request req(q, Transport::udp, testing::endpoint("10.0.0.1", 1), testing::endpoint("10.0.0.2", 53),
              nullptr);
  ReplySummary r;
  r.has_message = true;
  r.rcode = 12;
  CHECK(line("{type} {rcode}", req, r) == "TYPE65280 12");
  r.rcode = dns::rcode::BADVERS;
  CHECK(line("{rcode}", req, r) == "BADVERS");
  CHECK(line("{rcode} {>rflags} {rsize}", req, ReplySummary{}) == "- - 0");
}
