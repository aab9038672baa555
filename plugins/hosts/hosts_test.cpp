// The hosts handler's answers, with CoreDNS's hosts_test vectors.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>

#include "plugins/hosts/test_support.h"

using namespace coredns;
using namespace coredns::plugins::hosts;
using namespace coredns::plugins::hosts::testing;
namespace t = coredns::dns::type;

namespace {

const char* kFile =
    "127.0.0.1 localhost localhost.domain\n"
    "::1 localhost localhost.domain\n"
    "10.0.0.1 example.org\n"
    "::FFFF:10.0.0.2 example.com\n"
    "10.0.0.3 fallthrough-example.org\n"
    "1.2.3.4 aa.example.com\n"
    "5.6.7.8 *.apps.example.com\n"
    "reload 5s\n"
    "timeout 3600\n";

// A hosts file in a temporary directory, removed at the end of the scope.
struct TempFile {
  std::string path;
  explicit TempFile(const std::string& text) {
    char tmpl[] = "/tmp/hosts_test_XXXXXX";
    int fd = mkstemp(tmpl);
    REQUIRE(fd >= 0);
    close(fd);
    path = tmpl;
    write(text);
  }
  void write(const std::string& text) const { std::ofstream(path, std::ios::trunc) << text; }
  ~TempFile() { std::remove(path.c_str()); }
};

Options options(const std::string& path) {
  Options o;
  o.path = path;
  o.zones = {"."};
  o.reload = std::chrono::nanoseconds(0);
  return o;
}

}  // namespace

TEST_CASE("hosts answers A, AAAA and PTR from the file, AA set, owner lower-cased") {
  TempFile f(kFile);
  Hosts h(options(f.path));
  h.start();
  CHECK(ask(h, "example.org.", t::A) == "NOERROR aa example.org. 3600 A 10.0.0.1;");
  CHECK(ask(h, "Example.ORG.", t::A) == "NOERROR aa example.org. 3600 A 10.0.0.1;");
  CHECK(ask(h, "example.com.", t::A) == "NOERROR aa example.com. 3600 A 10.0.0.2;");
  CHECK(ask(h, "localhost.", t::AAAA) == "NOERROR aa localhost. 3600 AAAA ::1;");
  CHECK(ask(h, "aa.example.com.", t::A) == "NOERROR aa aa.example.com. 3600 A 1.2.3.4;");
  CHECK(ask(h, "1.0.0.10.in-addr.arpa.", t::PTR) ==
        "NOERROR aa 1.0.0.10.in-addr.arpa. 3600 PTR example.org.;");
  CHECK(ask(h, "2.0.0.10.in-addr.arpa.", t::PTR) ==
        "NOERROR aa 2.0.0.10.in-addr.arpa. 3600 PTR example.com.;");
  CHECK(ask(h, "1.0.0.127.in-addr.arpa.", t::PTR) ==
        "NOERROR aa 1.0.0.127.in-addr.arpa. 3600 PTR localhost.; 1.0.0.127.in-addr.arpa. 3600 "
        "PTR localhost.domain.;");
  CHECK(ask(h, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.",
            t::PTR) ==
        "NOERROR aa 1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa. 3600 "
        "PTR localhost.; 1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa. "
        "3600 PTR localhost.domain.;");
}

TEST_CASE("hosts gives NODATA for the other family and other types, SERVFAIL for absent names") {
  TempFile f(kFile);
  Hosts h(options(f.path));
  h.start();
  CHECK(ask(h, "example.org.", t::AAAA) == "NOERROR aa");
  CHECK(ask(h, "example.org.", t::MX) == "NOERROR aa");
  CHECK(ask(h, "missing.example.org.", t::A) == "SERVFAIL");
  CHECK(ask(h, "missing.example.org.", t::TXT) == "SERVFAIL");
  // A reverse name hosts does not know always goes on, with or without fallthrough.
  CHECK(ask(h, "9.0.0.10.in-addr.arpa.", t::PTR) == "next");
  CHECK(ask(h, "0.0.10.in-addr.arpa.", t::PTR) == "next");
  CHECK(ask(h, "01.0.0.10.in-addr.arpa.", t::PTR) == "next");
}

TEST_CASE("wildcards match exactly one label, and not their own apex") {
  TempFile f(kFile);
  Hosts h(options(f.path));
  h.start();
  CHECK(ask(h, "x.apps.example.com.", t::A) == "NOERROR aa x.apps.example.com. 3600 A 5.6.7.8;");
  CHECK(ask(h, "x.apps.example.com.", t::AAAA) == "NOERROR aa");
  CHECK(ask(h, "apps.example.com.", t::A) == "SERVFAIL");
  CHECK(ask(h, "a.x.apps.example.com.", t::A) == "SERVFAIL");
  CHECK(ask(h, "5.6.7.8.in-addr.arpa.", t::PTR) == "next");
}

TEST_CASE("fallthrough passes absent names on, but not a name of the other family") {
  TempFile f(kFile);
  Options o = options(f.path);
  o.fall.set({});
  Hosts h(std::move(o));
  h.start();
  CHECK(ask(h, "missing.example.org.", t::A) == "next");
  CHECK(ask(h, "fallthrough-example.org.", t::AAAA) == "NOERROR aa");
  CHECK(ask(h, "example.org.", t::TXT) == "NOERROR aa");
}

TEST_CASE("fallthrough_unsupported passes other types on for names fallthrough covers") {
  TempFile f(kFile);
  Options o = options(f.path);
  o.fall.set({});
  o.fall_unsupported = true;
  Hosts h(std::move(o));
  h.start();
  CHECK(ask(h, "example.org.", t::TXT) == "next");
  CHECK(ask(h, "example.org.", t::AAAA) == "NOERROR aa");
  Options o2 = options(f.path);
  o2.fall.set({"example.net"});
  o2.fall_unsupported = true;
  Hosts h2(std::move(o2));
  h2.start();
  CHECK(ask(h2, "example.org.", t::TXT) == "NOERROR aa");
  CHECK(ask(h2, "missing.example.org.", t::TXT) == "SERVFAIL");
}

TEST_CASE("names outside the zones go on; PTR ignores the zones") {
  TempFile f("10.0.0.1 a.example.org\n10.0.0.2 b.example.net\n");
  Options o = options(f.path);
  o.zones = {"example.org."};
  Hosts h(std::move(o));
  h.start();
  CHECK(ask(h, "a.example.org.", t::A) == "NOERROR aa a.example.org. 3600 A 10.0.0.1;");
  CHECK(ask(h, "b.example.net.", t::A) == "next");
  CHECK(ask(h, "1.0.0.10.in-addr.arpa.", t::PTR) ==
        "NOERROR aa 1.0.0.10.in-addr.arpa. 3600 PTR a.example.org.;");
  CHECK(ask(h, "2.0.0.10.in-addr.arpa.", t::PTR) == "next");
}

TEST_CASE("inline entries follow the file's, with the configured ttl; no_reverse drops PTR") {
  TempFile f("10.0.0.1 example.org\n");
  Options o = options(f.path);
  o.inline_text = "10.0.0.9 example.org\n10.0.0.8 inline.example\n";
  o.ttl = 60;
  o.reverse = false;
  Hosts h(std::move(o));
  h.start();
  CHECK(ask(h, "example.org.", t::A) ==
        "NOERROR aa example.org. 60 A 10.0.0.1; example.org. 60 A 10.0.0.9;");
  CHECK(ask(h, "inline.example.", t::A) == "NOERROR aa inline.example. 60 A 10.0.0.8;");
  CHECK(ask(h, "1.0.0.10.in-addr.arpa.", t::PTR) == "next");
  CHECK(h.inline_size() == 2);
}

TEST_CASE("an exact entry in one table and a wildcard in the other both answer") {
  TempFile f("10.0.0.1 a.example.org\n");
  Options o = options(f.path);
  o.inline_text = "10.0.0.2 *.example.org\n";
  Hosts h(std::move(o));
  h.start();
  CHECK(ask(h, "a.example.org.", t::A) ==
        "NOERROR aa a.example.org. 3600 A 10.0.0.1; a.example.org. 3600 A 10.0.0.2;");
}

TEST_CASE("refresh reads a changed file, keeps the last contents when it goes away") {
  TempFile f("10.0.0.1 example.org\n");
  Hosts h(options(f.path));
  h.start();
  CHECK(ask(h, "example.org.", t::A) == "NOERROR aa example.org. 3600 A 10.0.0.1;");
  CHECK_FALSE(h.refresh());  // unchanged
  f.write("10.0.0.2 example.org\n10.0.0.3 new.example\n");
  CHECK(h.refresh());
  CHECK(ask(h, "example.org.", t::A) == "NOERROR aa example.org. 3600 A 10.0.0.2;");
  CHECK(ask(h, "new.example.", t::A) == "NOERROR aa new.example. 3600 A 10.0.0.3;");
  std::remove(f.path.c_str());
  CHECK_FALSE(h.refresh());
  CHECK(ask(h, "new.example.", t::A) == "NOERROR aa new.example. 3600 A 10.0.0.3;");
}

TEST_CASE("a missing file answers only from the inline lines") {
  Options o = options("/nonexistent/hosts");
  o.inline_text = "10.0.0.8 inline.example\n";
  Hosts h(std::move(o));
  h.start();
  CHECK(ask(h, "inline.example.", t::A) == "NOERROR aa inline.example. 3600 A 10.0.0.8;");
  CHECK(ask(h, "example.org.", t::A) == "SERVFAIL");
}

TEST_CASE("a PTR for a block list's 0.0.0.0 stops at what a message can hold") {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "0.0.0.0 host" + std::to_string(i) + ".example\n";
  TempFile f(text);
  Hosts h(options(f.path));
  h.start();
  auto q = coredns::testing::plain_query("0.0.0.0.in-addr.arpa.", t::PTR);
  Request req(q, Transport::tcp, coredns::testing::endpoint("127.0.0.1", 4000),
              coredns::testing::endpoint("127.0.0.1", 53), nullptr);
  auto r = h.answer(req);
  REQUIRE(r);
  CHECK(r->wire.size() <= 65535);
  dns::MessageView v;
  REQUIRE(v.parse(r->wire) == dns::MessageView::Error::none);
  CHECK(v.header().ancount > 1000);
  CHECK(v.header().ancount < 20000);
}

TEST_CASE("reverse_address decodes only complete reverse names") {
  uint8_t a[16];
  CHECK(reverse_address(lname("4.3.2.1.in-addr.arpa."), a) == 4);
  CHECK(v4_text(a) == "1.2.3.4");
  CHECK(reverse_address(lname("3.2.1.in-addr.arpa."), a) == 0);
  CHECK(reverse_address(lname("256.3.2.1.in-addr.arpa."), a) == 0);
  CHECK(reverse_address(lname("x.3.2.1.in-addr.arpa."), a) == 0);
  CHECK(reverse_address(lname("in-addr.arpa."), a) == 0);
  CHECK(reverse_address(lname("example.org."), a) == 0);
  CHECK(reverse_address(
            lname("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6.arpa."),
            a) == 16);
  CHECK(v6_text(a) == "2001:db8::1");
  CHECK(reverse_address(lname("0.0.ip6.arpa."), a) == 0);
}
