// The hosts-file format and the compact table, with CoreDNS's hostsfile_test vectors.
#include <catch2/catch.hpp>

#include "plugins/hosts/test_support.h"

using namespace coredns;
using namespace coredns::plugins::hosts;
using namespace coredns::plugins::hosts::testing;

namespace {

const char* kHosts =
    "255.255.255.255\tbroadcasthost\n"
    "127.0.0.2\todin\n"
    "127.0.0.3\todin  # inline comment \n"
    "::2\todin\n"
    "127.1.1.1\tthor\n"
    "# aliases\n"
    "127.1.1.2\tullr ullrhost\n"
    "fe80::1%lo0\tlocalhost\n"
    "# Bogus entries that must be ignored.\n"
    "123.123.123\tloki\n"
    "321.321.321.321\tthor\n"
    "010.0.0.1\tleading-zero\n";

const char* kLocalhost =
    "127.0.0.1 localhost # c\n"
    "127.0.0.2 localhost # c\n"
    "127.0.0.3 localhost localhost.localdomain\n"
    "fe80:0000:0000:0000:0000:0000:0000:0002%lo0 localhost\n"
    "fe80::3 localhost localhost.localdomain\n";

}  // namespace

TEST_CASE("names map to their addresses in line order, any case", "[parse]") {
  Store s = build(kHosts);
  CHECK(addrs(s, "odin") == "127.0.0.2 127.0.0.3 | ::2");
  CHECK(addrs(s, "ODIN.") == "127.0.0.2 127.0.0.3 | ::2");
  CHECK(addrs(s, "ullrhost") == "127.1.1.2 |");
  CHECK(addrs(s, "localhost") == "| fe80::1");
  CHECK(addrs(s, "thor") == "127.1.1.1 |");
  CHECK(addrs(s, "loki") == "-");
  CHECK(addrs(s, "leading-zero") == "-");
}

TEST_CASE("addresses map back to their names, lower-cased, in line order", "[parse]") {
  Store s = build(kHosts);
  CHECK(names(s, "127.1.1.2") == "ullr. ullrhost.");
  CHECK(names(s, "::2") == "odin.");
  CHECK(names(s, "10.0.0.1") == "");
  Store l = build(kLocalhost);
  CHECK(addrs(l, "localhost") == "127.0.0.1 127.0.0.2 127.0.0.3 | fe80::2 fe80::3");
  CHECK(names(l, "127.0.0.3") == "localhost. localhost.localdomain.");
  CHECK(names(l, "fe80::3") == "localhost. localhost.localdomain.");
  Store c = build("127.0.0.1 PreserveMe PreserveMe.local\n::1 PreserveMe\n");
  CHECK(names(c, "127.0.0.1") == "preserveme. preserveme.local.");
  CHECK(addrs(c, "preserveme") == "127.0.0.1 | ::1");
}

TEST_CASE("IPv4-mapped IPv6 is IPv4; other embedded forms are IPv6", "[parse]") {
  Store s = build("::FFFF:10.0.0.2 example.com\n64:ff9b::1.2.3.4 nat64.example\n");
  CHECK(addrs(s, "example.com") == "10.0.0.2 |");
  CHECK(names(s, "10.0.0.2") == "example.com.");
  CHECK(addrs(s, "nat64.example") == "| 64:ff9b::102:304");
}

TEST_CASE("nothing is de-duplicated, and the entry count is CoreDNS's", "[parse]") {
  Store s = build("10.0.0.1 a\n10.0.0.1 a\n");
  CHECK(addrs(s, "a") == "10.0.0.1 10.0.0.1 |");
  CHECK(names(s, "10.0.0.1") == "a. a.");
  CHECK(s.size() == 4);
  CHECK(build("10.0.0.1 a\n10.0.0.1 a\n", false).size() == 2);
  CHECK(names(build("10.0.0.1 a\n", false), "10.0.0.1") == "");
  // A wildcard counts once: it has no reverse entry.
  CHECK(build("10.0.0.1 *.a.example\n").size() == 1);
  CHECK(names(build("10.0.0.1 *.a.example\n"), "10.0.0.1") == "");
}

TEST_CASE("an address whose only names are wildcards has no reverse names", "[parse]") {
  // Found by the hosts fuzzer: the reverse list is then empty, and was indexed anyway.
  Store s = build("10.0.0.9 *.example.org\n");
  CHECK(names(s, "10.0.0.9") == "");
  CHECK(addrs(s, "*.example.org") == "10.0.0.9 |");
}

TEST_CASE("fields split on any Unicode white space, comments start anywhere", "[parse]") {
  Store s = build("10.0.0.1\xC2\xA0" "a\xE3\x80\x80" "b\x0B" "c#d e\r\n10.0.0.2 x#y\n#10.0.0.3 z\n");
  CHECK(addrs(s, "a") == "10.0.0.1 |");
  CHECK(addrs(s, "b") == "10.0.0.1 |");
  CHECK(addrs(s, "c") == "10.0.0.1 |");
  CHECK(addrs(s, "d") == "-");
  CHECK(addrs(s, "e") == "-");
  CHECK(addrs(s, "x") == "10.0.0.2 |");
  CHECK(addrs(s, "z") == "-");
}

TEST_CASE("names outside the zones are not loaded, not even their PTR", "[parse]") {
  Store s = build("10.0.0.1 a.example.org b.example.net\n", true, {"example.org."});
  CHECK(addrs(s, "a.example.org") == "10.0.0.1 |");
  CHECK(addrs(s, "b.example.net") == "-");
  CHECK(names(s, "10.0.0.1") == "a.example.org.");
}

TEST_CASE("a line longer than 64 KiB is read, and so is every line after it", "[parse]") {
  std::string text = "10.0.0.1 first\n10.0.0.2";
  for (int i = 0; i < 12000; ++i) text += " n" + std::to_string(i);
  text += "\n10.0.0.3 last\n";
  REQUIRE(text.size() > 65536);
  Store s = build(text);
  CHECK(addrs(s, "n11999") == "10.0.0.2 |");
  CHECK(addrs(s, "last") == "10.0.0.3 |");
}

TEST_CASE("lines that are no hosts lines are counted as ignored", "[parse]") {
  StoreBuilder b(true);
  ParseStats st = parse_hosts("reload 5s\n10.0.0.1\n\n# c\n10.0.0.1 ok\n", ZoneSet({"."}), b);
  CHECK(st.lines == 5);
  CHECK(st.ignored == 2);
}

TEST_CASE("parse_address takes Go's forms only", "[parse]") {
  uint8_t a[16];
  CHECK(parse_address("1.2.3.4", a) == 4);
  CHECK(parse_address("::ffff:1.2.3.4", a) == 4);
  CHECK(v4_text(a) == "1.2.3.4");
  CHECK(parse_address("2001:db8::1", a) == 16);
  CHECK(parse_address("1.2.3", a) == 0);
  CHECK(parse_address("01.2.3.4", a) == 0);
  CHECK(parse_address("1.2.3.256", a) == 0);
  CHECK(parse_address("", a) == 0);
  CHECK(parse_address(std::string(100, '1'), a) == 0);
}

TEST_CASE("a million block-list names take a compact table", "[parse][store]") {
  std::string text;
  text.reserve(30 * 1000000);
  for (int i = 0; i < 1000000; ++i) text += "0.0.0.0 host" + std::to_string(i) + ".ads.example\n";
  Store s = build(text, false);
  CHECK(s.name_count() == 1000000);
  CHECK(addrs(s, "host999999.ads.example") == "0.0.0.0 |");
  CHECK(addrs(s, "host1000000.ads.example") == "-");
  // A record per name (~24 bytes of wire name, a length, two counts and a one-byte address
  // index) plus 8 bytes of index: about 35 bytes a name.
  CHECK(s.memory_bytes() < 38u * 1000000);
}

TEST_CASE("a record's addresses read back past one-byte pool indexes, in both families",
          "[store]") {
  // 300 IPv4 and 200 IPv6 addresses before `both`'s: its pool indexes take two LEB128 bytes, so
  // finding its IPv6 run means stepping over multi-byte IPv4 ones.
  std::string text;
  for (int i = 0; i < 300; ++i)
    text += "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256) + " filler\n";
  for (int i = 0; i < 200; ++i) text += "2001:db8::" + std::to_string(i + 1000) + " filler\n";
  text += "2001:db8::1 both\n10.1.0.1 both\n10.0.0.7 both\n2001:db8::1000 both\n";
  Store s = build(text);
  CHECK(addrs(s, "both") == "10.1.0.1 10.0.0.7 | 2001:db8::1 2001:db8::1000");
  const dns::Name filler = lname("filler");
  const Store::Addresses f = s.addresses(s.find(filler.wire()));
  CHECK(f.v4.size() == 300);
  CHECK(f.v6.size() == 200);
  CHECK(v4_text(s.v4(*f.v4.begin())) == "10.0.0.0");
  CHECK(v6_text(s.v6(*f.v6.begin())) == "2001:db8::1000");
  CHECK(addrs(s, "none") == "-");
}
