// The loop plugin: setup, the probe name and query, and detection (CoreDNS's loop_test vectors).
#include <catch2/catch.hpp>
#include <regex>
#include <thread>

#include "core/dns/message.h"
#include "core/plugin/registry.h"
#include "plugins/loop/loop.h"
#include "tests/support/handler_test.h"
#include "tests/support/plugin_setup.h"

namespace coredns::plugins {
const PluginDef& plugin_loop();
}

using namespace coredns;
using coredns::testing::run_setup;
using plugins::loop::Loop;
using plugins::loop::Target;

namespace {

std::string g_fatal;
int g_fatals = 0;
void record(const std::string& m) {
  g_fatal = m;
  g_fatals++;
}

bool sees(Loop& l, const std::string& name, uint16_t qtype) {
  auto q = coredns::testing::plain_query(name.c_str(), qtype);
  Request req(q, Transport::udp, coredns::testing::endpoint("127.0.0.1", 55953),
              coredns::testing::endpoint("127.0.0.1", 1053), nullptr);
  return l.inspect(req);
}

// A UDP socket on a free loopback port; `a` gets its address.
int udp_socket(sockaddr_in& a) {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return fd;
}

}  // namespace

TEST_CASE("loop takes no arguments, once per block") {
  CHECK(run_setup(plugins::plugin_loop(), "loop", "loop").error == "");
  CHECK(run_setup(plugins::plugin_loop(), "loop", "loop argument").error ==
        "plugin/loop: Corefile:1 - Error during parsing: Wrong argument count or unexpected line "
        "ending after 'argument'");
  CHECK(run_setup(plugins::plugin_loop(), "loop", "loop\nloop").error ==
        "plugin/loop: this plugin can only be used once per Server Block");
}

TEST_CASE("loop probes the block's first zone with two random labels") {
  auto r = run_setup(plugins::plugin_loop(), "loop", "loop", {"Example.org:1053", "example.net"});
  REQUIRE(r.handler<Loop>());
  CHECK(r.handler<Loop>()->zone() == "example.org.");
  CHECK(std::regex_match(r.handler<Loop>()->probe(),
                         std::regex(R"([0-9]{1,19}\.[0-9]{1,19}\.example\.org\.)")));
  auto root = run_setup(plugins::plugin_loop(), "loop", "loop");
  CHECK(root.handler<Loop>()->zone() == ".");
  CHECK(std::regex_match(root.handler<Loop>()->probe(), std::regex(R"([0-9]+\.[0-9]+\.)")));
  CHECK(plugins::loop::probe_name(".") != plugins::loop::probe_name("."));
  CHECK(root.lifecycle.started.size() == 1);
  CHECK(root.lifecycle.shutdown.size() == 1);
}

TEST_CASE("the probe target prints as Go's JoinHostPort") {
  CHECK(Target{"", "1053"}.text() == ":1053");
  CHECK(Target{"127.0.0.1", "53"}.text() == "127.0.0.1:53");
  CHECK(Target{"::1", "53"}.text() == "[::1]:53");
}

TEST_CASE("the probe query is HINFO for the probe name, RD, no EDNS") {
  dns::Name n;
  REQUIRE(dns::Name::from_text("1.2.example.org.", n));
  auto q = plugins::loop::probe_query(n);
  dns::MessageView v;
  REQUIRE(v.parse(q) == dns::MessageView::Error::none);
  CHECK(v.question().qtype == dns::type::HINFO);
  CHECK(v.question_name().to_text() == "1.2.example.org.");
  CHECK(v.header().has(dns::Header::RD));
  CHECK(v.opt() == nullptr);
}

TEST_CASE("the third sighting of the probe is a loop, with CoreDNS's message") {
  g_fatals = 0;
  Loop l("example.org.", "11.22.example.org.", Target{"", "1053"}, &record);
  CHECK_FALSE(sees(l, "11.22.example.org.", dns::type::A));  // not HINFO
  CHECK_FALSE(sees(l, "a.example.com.", dns::type::HINFO));  // outside the zone
  CHECK_FALSE(sees(l, "33.22.example.org.", dns::type::HINFO));
  CHECK(l.sightings() == 0);
  CHECK_FALSE(sees(l, "11.22.EXAMPLE.org.", dns::type::HINFO));
  CHECK(l.sightings() == 1);
  CHECK_FALSE(sees(l, "11.22.example.org.", dns::type::HINFO));
  CHECK(g_fatals == 0);
  CHECK(sees(l, "11.22.example.org.", dns::type::HINFO));
  CHECK(g_fatals == 1);
  CHECK(g_fatal ==
        "Loop (127.0.0.1:55953 -> :1053) detected for zone \"example.org.\", see "
        "https://coredns.io/plugins/loop#troubleshooting. Query: \"HINFO 11.22.example.org.\"");
}

TEST_CASE("a disabled loop plugin counts nothing") {
  g_fatals = 0;
  Loop l(".", "1.2.", Target{"", "53"}, &record);
  l.disable();
  for (int i = 0; i < 3; ++i) CHECK_FALSE(sees(l, "1.2.", dns::type::HINFO));
  CHECK(l.sightings() == 0);
  CHECK(g_fatals == 0);
}

TEST_CASE("a probe nobody answers gives up and disables the plugin") {
  // A UDP port with nobody on it: every exchange fails at once (ICMP port unreachable).
  sockaddr_in a{};
  int fd = udp_socket(a);
  ::close(fd);
  Loop l(".", "1.2.", Target{"127.0.0.1", std::to_string(ntohs(a.sin_port))}, &record);
  l.start();
  CHECK_FALSE(l.disabled());
  l.stop();  // ends the probing early; the plugin is then disabled
  CHECK(l.disabled());
}

TEST_CASE("a probe that gets any reply ends the probing and disables the plugin") {
  // A stand-in for the server: echoes the probe back once (any reply counts).
  sockaddr_in a{};
  int fd = udp_socket(a);
  std::vector<uint8_t> got(512);
  ssize_t got_n = -1;
  std::thread echo([&] {
    sockaddr_storage from{};
    socklen_t fl = sizeof from;
    got_n = ::recvfrom(fd, got.data(), got.size(), 0, reinterpret_cast<sockaddr*>(&from), &fl);
    if (got_n > 0) ::sendto(fd, got.data(), static_cast<size_t>(got_n), 0,
                            reinterpret_cast<sockaddr*>(&from), fl);
  });
  Loop l(".", "7.8.", Target{"127.0.0.1", std::to_string(ntohs(a.sin_port))}, &record);
  l.start();
  echo.join();
  ::close(fd);
  REQUIRE(got_n > 12);
  got.resize(static_cast<size_t>(got_n));
  dns::MessageView v;
  REQUIRE(v.parse(got) == dns::MessageView::Error::none);
  CHECK(v.question_name().to_text() == "7.8.");
  CHECK(v.question().qtype == dns::type::HINFO);
  // The probing ends by itself once the reply is in (it would otherwise go on for 30 s).
  l.wait_probe_end();
  CHECK(l.disabled());
}
