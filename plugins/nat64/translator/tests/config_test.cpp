#include <catch2/catch.hpp>

#include "nat64/config.h"
#include "test_util.h"

using namespace nat64;
using namespace nat64::test;

namespace {
ConfigResult parse(const std::string& s) { return parse_config(s, "t.conf"); }
bool has_error(const ConfigResult& r, const std::string& needle) {
  for (const auto& e : r.errors)
    if (e.find(needle) != std::string::npos) return true;
  return false;
}
}  // namespace

TEST_CASE("config: every directive is accepted", "[config]") {
  auto r = parse(
      "# full example\n"
      "tun-device nat64\n"
      "IPV4-ADDR 192.168.255.1   # case-insensitive names, trailing comment\n"
      "ipv6-addr 2001:db8:1::2\n"
      "prefix 64:ff9b::/96\n"
      "wkpf-strict no\n"
      "dynamic-pool 192.168.240.0/20\n"
      "data-dir /var/lib/tayga\n"
      "map 192.168.5.42 2001:db8:1:4444::1\n"
      "map 198.51.100.0/24 2001:db8:2::/120\n"
      "map-file maps.conf\n"
      "strict-frag-hdr off\n"
      "udp-cksum-mode calc\n"
      "log drop reject icmp self dyn\n"
      "offlink-mtu 1400\n"
      "workers 2\n"
      "tun-up yes\n"
      "tun-ip 192.168.255.2/32\n"
      "tun-ip 2001:db8:1::3\n"
      "tun-route 192.168.240.0/20\n"
      "tun-route 64:ff9b::/96\n"
      "metrics-addr 127.0.0.1:9176\n"
      "icmp-rate-limit 100 20\n"
      "\r\n\t\n");
  INFO((r.errors.empty() ? "" : r.errors.front()));
  REQUIRE(r.ok());
  const Config& c = r.config;
  CHECK(c.tun_device == "nat64");
  CHECK(*c.ipv4_addr == v4("192.168.255.1"));
  CHECK(*c.ipv6_addr == v6("2001:db8:1::2"));
  CHECK(c.prefix->len == 96);
  CHECK_FALSE(c.wkpf_strict);
  CHECK(c.dynamic_pool->len == 20);
  CHECK(c.data_dir == "/var/lib/tayga");
  REQUIRE(c.maps.size() == 2);
  CHECK(c.maps[0].v4.len == 32);
  CHECK(c.maps[0].v6.len == 128);
  CHECK(c.maps[1].where == "t.conf:10");
  CHECK(c.map_file == "maps.conf");
  CHECK(c.udp_cksum_mode == UdpCksumMode::calc);
  CHECK((c.log.drop && c.log.reject && c.log.icmp && c.log.self && c.log.dyn));
  CHECK(c.offlink_mtu == 1400);
  CHECK(*c.workers == 2);
  CHECK(c.tun_up);
  CHECK(c.tun_ip.size() == 2);
  CHECK(c.tun_ip[1].ipv6);
  CHECK(c.tun_ip[1].len == 128);
  CHECK(c.tun_route.size() == 2);
  CHECK(c.metrics_addr == "127.0.0.1:9176");
  CHECK(c.icmp_rate == 100);
  CHECK(c.icmp_burst == 20);
}

TEST_CASE("config: defaults and the derived ipv6-addr", "[config]") {
  auto r = parse("tun-device nat64\nipv4-addr 192.0.2.1\nprefix 2001:db8:64::/96\n");
  REQUIRE(r.ok());
  CHECK(format_v6(*r.config.ipv6_addr) == "2001:db8:64::c000:201");
  CHECK(r.config.wkpf_strict);
  CHECK(r.config.udp_cksum_mode == UdpCksumMode::drop);
  CHECK(r.config.offlink_mtu == 1280);
  CHECK_FALSE(r.config.workers);
  // Prefix match of udp-cksum-mode values, as Tayga.
  CHECK(parse("tun-device t\nipv4-addr 192.0.2.1\nprefix 2001:db8::/96\nudp-cksum-mode forward\n").config.udp_cksum_mode ==
        UdpCksumMode::fwd);
  CHECK(parse("tun-device t\nipv4-addr 192.0.2.1\nprefix 2001:db8::/96\nudp-cksum-mode dr\n").config.udp_cksum_mode ==
        UdpCksumMode::drop);
  // systemd's STATE_DIRECTORY stands in for data-dir.
  auto s = parse_config("tun-device t\nipv4-addr 192.0.2.1\nprefix 2001:db8::/96\n", "t.conf", "/var/lib/a:/var/lib/b");
  CHECK(s.config.data_dir == "/var/lib/a");
  // strict-frag-hdr is accepted with a warning.
  auto w = parse("tun-device t\nipv4-addr 192.0.2.1\nprefix 2001:db8::/96\nstrict-frag-hdr on\n");
  CHECK(w.ok());
  CHECK(w.warnings.size() == 1);
}

TEST_CASE("config: errors name the file and line, all of them", "[config]") {
  auto r = parse(
      "tun-device nat64\n"
      "ipv4-addr 192.0.2.1\n"
      "prefix 2001:db8::/96\n"
      "bogus-directive 1\n"
      "prefix 2001:db8:1::/96\n"
      "offlink-mtu 1000\n");
  CHECK(r.errors.size() == 3);
  CHECK(has_error(r, "t.conf:4: unknown directive 'bogus-directive'"));
  CHECK(has_error(r, "t.conf:5: 'prefix' given more than once"));
  CHECK(has_error(r, "t.conf:6: offlink-mtu"));
}

TEST_CASE("config: rejected values", "[config]") {
  const std::string base = "tun-device nat64\nipv4-addr 192.0.2.1\n";
  struct Case {
    std::string text, needle;
  };
  const Case cases[] = {
      {base + "prefix 2001:db8::/80\n", "t.conf:3: prefix length /80"},
      {base + "prefix 2001:db8::1/96\n", "t.conf:3: prefix 2001:db8::1/96 has bits set"},
      {base + "prefix fe80::/64\n", "t.conf:3: prefix fe80::/64 is a reserved range"},
      {base + "prefix 2001:db8::\n", "t.conf:3: invalid IPv6 prefix"},
      {base + "prefix 2001:db8::/96 extra\n", "t.conf:3: 'prefix' takes 1 argument, got 2"},
      {"tun-device nat64\nipv4-addr 127.0.0.1\nprefix 2001:db8::/96\n", "t.conf:2: ipv4-addr 127.0.0.1 is a reserved"},
      {"tun-device nat64\nipv4-addr 300.1.1.1\nprefix 2001:db8::/96\n", "t.conf:2: invalid IPv4 address"},
      {base + "prefix 2001:db8::/96\nwkpf-strict maybe\n", "t.conf:4: wkpf-strict expects yes or no"},
      {base + "prefix 2001:db8::/96\ndynamic-pool 10.0.0.0/32\n", "t.conf:4: dynamic-pool must be /31"},
      {base + "prefix 2001:db8::/96\ndynamic-pool 10.0.0.1/24\n", "t.conf:4: dynamic-pool 10.0.0.1/24 has bits"},
      {base + "prefix 2001:db8::/96\ndata-dir relative\n", "t.conf:4: data-dir must be an absolute path"},
      {base + "prefix 2001:db8::/96\nudp-cksum-mode maybe\n", "t.conf:4: udp-cksum-mode expects"},
      {base + "prefix 2001:db8::/96\nlog drop bogus\n", "t.conf:4: unknown log option 'bogus'"},
      {base + "prefix 2001:db8::/96\nworkers 65\n", "t.conf:4: workers must be"},
      {base + "prefix 2001:db8::/96\nmap 10.0.0.0/24 2001:db8:1::/124\n", "t.conf:4: map 10.0.0.0/24 2001:db8:1::/124"},
      {base + "prefix 2001:db8::/96\nmap 10.0.0.1/24 2001:db8:1::/120\n", "has bits set"},
      {base + "prefix 2001:db8::/96\nmap 10.0.0.1\n", "t.conf:4: 'map' takes 2 arguments, got 1"},
      {base + "prefix 2001:db8::/96\nmap 10.0.0.1 2001:db8:5::1\nmap 10.0.0.1 2001:db8:5::2\n", "t.conf:5: map 10.0.0.1/32 conflicts with the map at t.conf:4"},
      {base + "prefix 2001:db8::/96\nmap 10.0.0.1 2001:db8:5::1\nmap 10.0.0.2 2001:db8:5::1\n", "t.conf:5: map 2001:db8:5::1/128 conflicts"},
      {base, "no translation maps or NAT64 prefix configured"},
      {"ipv4-addr 192.0.2.1\nprefix 2001:db8::/96\n", "missing required directive 'tun-device'"},
      {"tun-device nat64\nprefix 2001:db8::/96\n", "missing required directive 'ipv4-addr'"},
      {"tun-device 0123456789abcdefg\nipv4-addr 192.0.2.1\nprefix 2001:db8::/96\n", "t.conf:1: tun-device name"},
      {base + "map 10.0.0.1 2001:db8:5::1\n", "'ipv6-addr' is required when there is no 'prefix'"},
      {base + "prefix 2001:db8::/96\nipv6-addr 2001:db8::5\n", "lies inside the NAT64 prefix"},
      {"tun-device nat64\nipv4-addr 192.168.1.1\nprefix 64:ff9b::/96\n", "64:ff9b:1::/96"},
      {base + "prefix 2001:db8::/96\na b c d e f g h i j k\n", "t.conf:4: more than 10 words"},
      {base + "prefix 2001:db8::/96\n" + std::string(600, 'x') + "\n", "t.conf:4: line longer than 511"},
  };
  for (const auto& c : cases) {
    auto r = parse(c.text);
    INFO(c.text);
    INFO((r.errors.empty() ? std::string("(no error)") : r.errors.front()));
    CHECK(has_error(r, c.needle));
  }
  // Unequal suffix lengths and overlapping IPv6 ranges are fine (RFC 7757).
  CHECK(parse(base + "prefix 2001:db8::/96\nmap 10.0.0.0/24 2001:db8:1::/64\nmap 10.0.0.128/25 2001:db8:1::/80\n").ok());
  // wkpf-strict off lets a private ipv4-addr be embedded in the WKP.
  CHECK(parse("tun-device nat64\nipv4-addr 192.168.1.1\nprefix 64:ff9b::/96\nwkpf-strict no\n").ok());
}

TEST_CASE("config: fast-path directives (offload, tcp-mss-clamp, workers)", "[config]") {
  const std::string base = "tun-device nat64\nipv4-addr 192.0.2.1\nprefix 2001:db8::/96\n";
  auto r = parse(base);
  REQUIRE(r.ok());
  CHECK(r.config.offload);
  CHECK_FALSE(r.config.tcp_mss_clamp.enabled());
  CHECK_FALSE(r.config.workers);
  r = parse(base + "offload no\ntcp-mss-clamp 1400\nworkers 0\n");
  REQUIRE(r.ok());
  CHECK_FALSE(r.config.offload);
  CHECK(r.config.tcp_mss_clamp.value == 1400);
  CHECK(r.config.tcp_mss_clamp.for_mtu(9000) == 1400);
  CHECK(*r.config.workers == 0);
  r = parse(base + "tcp-mss-clamp AUTO\n");
  REQUIRE(r.ok());
  CHECK(r.config.tcp_mss_clamp.automatic);
  CHECK(r.config.tcp_mss_clamp.for_mtu(1500) == 1440);
  CHECK_FALSE(parse(base + "tcp-mss-clamp off\n").config.tcp_mss_clamp.enabled());
  CHECK(has_error(parse(base + "offload maybe\n"), "t.conf:4: offload expects yes or no"));
  CHECK(has_error(parse(base + "tcp-mss-clamp 100\n"), "t.conf:4: tcp-mss-clamp expects auto, off or a number"));
  CHECK(has_error(parse(base + "tcp-mss-clamp 1400 1300\n"), "t.conf:4: 'tcp-mss-clamp' takes 1 argument"));
}

TEST_CASE("config: tun-io selects the TUN I/O path", "[config]") {
  const std::string base = "tun-device nat64\nipv4-addr 192.0.2.1\nprefix 2001:db8::/96\n";
  CHECK(parse(base).config.tun_io == TunIo::automatic);
  CHECK(parse(base + "tun-io uring\n").config.tun_io == TunIo::uring);
  CHECK(parse(base + "tun-io ReadWrite\n").config.tun_io == TunIo::readwrite);
  CHECK(parse(base + "tun-io auto\n").config.tun_io == TunIo::automatic);
  CHECK(has_error(parse(base + "tun-io epoll\n"), "t.conf:4: tun-io expects auto, uring or readwrite, got 'epoll'"));
  CHECK(has_error(parse(base + "tun-io uring\ntun-io readwrite\n"), "t.conf:5:"));
  // The environment's NAT64_TUN_IO takes the same words.
  CHECK(parse_tun_io("readwrite") == TunIo::readwrite);
  CHECK_FALSE(parse_tun_io("io_uring"));
  for (TunIo t : {TunIo::automatic, TunIo::uring, TunIo::readwrite}) CHECK(parse_tun_io(tun_io_name(t)) == t);
}

TEST_CASE("config: map-file", "[config]") {
  auto r = parse_map_file(
      "# maps\n"
      "map 10.1.0.0/24 2001:db8:10::/120\n"
      "map 10.2.0.1 2001:db8:20::1\n"
      "bogus 1 2\n"
      "map 10.3.0.1\n"
      "map 10.2.0.1 2001:db8:20::9\n",
      "maps.conf");
  CHECK(r.maps.size() == 2);
  REQUIRE(r.errors.size() == 3);
  CHECK(r.errors[0].starts_with("maps.conf:4:"));
  CHECK(r.errors[1].starts_with("maps.conf:5:"));
  CHECK(r.errors[2].starts_with("maps.conf:6:"));
}
