// Server-block keys to (transport, zone, port), by CoreDNS's core/dnsserver/address.go rules, plus
// the RFC 1035 warning printed at startup.
#include <catch2/catch.hpp>

#include "core/corefile/keys.h"
#include "core/util/error.h"

using namespace coredns::corefile;

namespace {

// The normalised keys of one block, space separated, as setup sees them.
std::string zones_of(std::vector<std::string> keys, std::string_view default_port = "53") {
  std::string out;
  for (const auto& address : normalize_keys(keys, default_port)) {
    if (!out.empty()) out += ' ';
    out += address.str();
  }
  return out;
}

std::string key_error(const std::string& key) {
  try {
    normalize_keys({key}, "53");
  } catch (const coredns::ConfigError& e) {
    return e.what();
  }
  return "<no error>";
}

std::string port_error(const std::string& key) {
  try {
    for (const auto& address : normalize_keys({key}, "53")) check_port(address);
  } catch (const coredns::ConfigError& e) {
    return e.what();
  }
  return "<no error>";
}

}  // namespace

TEST_CASE("keys: zones are lower-cased and fully qualified (K1-K3)", "[corefile][keys]") {
  CHECK(zones_of({"example.org"}) == "dns://example.org.:53");
  CHECK(zones_of({"EXAMPLE.ORG."}) == "dns://example.org.:53");
  CHECK(zones_of({"."}) == "dns://.:53");
  CHECK(zones_of({".:1053"}) == "dns://.:1053");
  CHECK(zones_of({"dns://.:1053"}) == "dns://.:1053");
}

TEST_CASE("keys: ports (K4, K5, K19, K23)", "[corefile][keys]") {
  CHECK(zones_of({"example.org"}, "1053") == "dns://example.org.:1053");
  CHECK(zones_of({"example.org:53"}, "1053") == "dns://example.org.:53");
  CHECK(zones_of({"example.org:0053"}) == "dns://example.org.:53");
  CHECK(zones_of({"example.org:+53"}) == "dns://example.org.:53");
  CHECK(zones_of({"example.org:53", "example.org:54"}) ==
        "dns://example.org.:53 dns://example.org.:54");
  const auto address = normalize_keys({"Example.org:1053"}, "53").at(0);
  CHECK(address.transport == "dns");
  CHECK(address.zone == "example.org.");
  CHECK(address.port == "1053");
}

TEST_CASE("keys: transports and their default ports (K6)", "[corefile][keys]") {
  CHECK(zones_of({"tls://example.org"}, "1053") == "tls://example.org.:853");
  CHECK(zones_of({"grpc://example.org"}, "1053") == "grpc://example.org.:443");
  CHECK(zones_of({"https://example.org"}, "1053") == "https://example.org.:443");
  CHECK(zones_of({"quic://."}, "1053") == "quic://.:853");
  CHECK(zones_of({"https3://."}, "1053") == "https3://.:443");
  CHECK(zones_of({"tls://example.org:8853"}) == "tls://example.org.:8853");
  CHECK(zones_of({"unix://sock"}) == "unix://sock.:");
  SECTION("an unknown scheme stays part of the zone (quirk)") {
    CHECK(zones_of({"http://x"}) == "dns://http://x.:53");
  }
}

TEST_CASE("keys: reverse CIDR shorthand (K7-K14)", "[corefile][keys]") {
  CHECK(zones_of({"10.0.0.0/24"}) == "dns://0.0.10.in-addr.arpa.:53");
  CHECK(zones_of({"10.1.2.3/24"}) == "dns://2.1.10.in-addr.arpa.:53");
  CHECK(zones_of({"10.0.0.0/15:5053"}) ==
        "dns://0.10.in-addr.arpa.:5053 dns://1.10.in-addr.arpa.:5053");
  CHECK(zones_of({"10.0.0.0/8"}) == "dns://10.in-addr.arpa.:53");
  CHECK(zones_of({"0.0.0.0/0"}) == "dns://in-addr.arpa.:53");
  CHECK(zones_of({"fd00::/8"}) == "dns://d.f.ip6.arpa.:53");
  CHECK(zones_of({"1.2.3.4"}) == "dns://1.2.3.4.:53");

  SECTION("K10: a /27 covers 32 zones") {
    const auto zones = normalize_keys({"10.0.0.0/27"}, "53");
    REQUIRE(zones.size() == 32);
    CHECK(zones.front().zone == "0.0.0.10.in-addr.arpa.");
    CHECK(zones[1].zone == "1.0.0.10.in-addr.arpa.");
    CHECK(zones.back().zone == "31.0.0.10.in-addr.arpa.");
  }
  SECTION("K11: a /25 covers 128 zones") {
    const auto zones = normalize_keys({"192.168.1.128/25"}, "53");
    REQUIRE(zones.size() == 128);
    CHECK(zones.front().zone == "128.1.168.192.in-addr.arpa.");
    CHECK(zones.back().zone == "255.1.168.192.in-addr.arpa.");
  }
  SECTION("IPv6 widens to nibble boundaries") {
    CHECK(zones_of({"2001:db8::/32"}) == "dns://8.b.d.0.1.0.0.2.ip6.arpa.:53");
    CHECK(zones_of({"2001:DB8::/30"}) ==
          "dns://8.b.d.0.1.0.0.2.ip6.arpa.:53 dns://9.b.d.0.1.0.0.2.ip6.arpa.:53 "
          "dns://a.b.d.0.1.0.0.2.ip6.arpa.:53 dns://b.b.d.0.1.0.0.2.ip6.arpa.:53");
  }
  SECTION("expanded zones take the key's place, before the next key") {
    CHECK(zones_of({"10.0.0.0/23", "example.org"}) ==
          "dns://0.0.10.in-addr.arpa.:53 dns://1.0.10.in-addr.arpa.:53 dns://example.org.:53");
  }
  SECTION("texts that are not CIDRs are domain names") {
    CHECK(zones_of({"10.0.0.0/33"}) == "dns://10.0.0.0/33.:53");
    CHECK(zones_of({"010.0.0.0/8"}) == "dns://010.0.0.0/8.:53");
    CHECK(zones_of({"10.0.0.0/024"}) == "dns://0.0.10.in-addr.arpa.:53");
  }
}

TEST_CASE("keys: errors (K15-K18)", "[corefile][keys]") {
  CHECK(key_error("example.org:") == "expecting data after last colon: \"example.org:\"");
  CHECK(key_error("dns://x:") == "expecting data after last colon: \"x:\"");
  CHECK(key_error("example..org") == "zone is not a valid domain name: example..org");
  CHECK(key_error(":53") == "zone is not a valid domain name: ");
  CHECK(key_error("::1/128") == "invalid CIDR ::1/128");
  CHECK(key_error("0:0::/16") == "invalid CIDR 0:0::/16");
  CHECK(key_error(".example.org") == "zone is not a valid domain name: .example.org");
  CHECK(key_error(std::string(64, 'a') + ".org") ==
        "zone is not a valid domain name: " + std::string(64, 'a') + ".org");
  CHECK(key_error(std::string(63, 'a') + ".org") == "<no error>");
  CHECK(key_error("a\\") == "zone is not a valid domain name: a\\");
  CHECK(key_error(std::string(256, 'a')) == "specified zone is too long: 256 > 255");
  SECTION("an empty text after the scheme counts as ending in a colon") {
    CHECK(key_error("dns://") == "expecting data after last colon: \"\"");
  }
  SECTION("the quoted key uses Go's escaping") {
    CHECK(key_error("a\"b:") == "expecting data after last colon: \"a\\\"b:\"");
  }
}

TEST_CASE("keys: odd but accepted keys (quirks)", "[corefile][keys]") {
  CHECK(zones_of({"example.org:abc"}) == "dns://example.org:abc.:53");
  CHECK(zones_of({"fd00::1"}) == "dns://fd00:.:1");
  CHECK(zones_of({"a\\.b"}) == "dns://a\\.b.:53");
  CHECK(zones_of({"example.org:99999999999999999999"}) ==
        "dns://example.org:99999999999999999999.:53");
}

TEST_CASE("keys: duplicates are visible to the caller (K20-K22)", "[corefile][keys]") {
  // The server builder reports "cannot serve dns://example.org.:53 - it is already defined".
  CHECK(zones_of({"example.org", "example.org"}) == "dns://example.org.:53 dns://example.org.:53");
  CHECK(zones_of({"10.0.0.0/24", "0.0.10.in-addr.arpa"}) ==
        "dns://0.0.10.in-addr.arpa.:53 dns://0.0.10.in-addr.arpa.:53");
}

TEST_CASE("keys: listener ports (K24)", "[corefile][keys]") {
  CHECK(port_error("example.org:99999") == "address 99999: invalid port");
  CHECK(port_error("example.org:-1") == "address -1: invalid port");
  CHECK(port_error("example.org:65535") == "<no error>");
  CHECK(port_error("example.org:0") == "<no error>");
  CHECK(port_error("unix://sock") == "<no error>");
}

TEST_CASE("keys: RFC 1035 syntax and reverse zones for the startup warning (O4)",
          "[corefile][keys]") {
  CHECK(follows_rfc1035("example.org."));
  CHECK(follows_rfc1035("a1.b-c.Org."));
  CHECK_FALSE(follows_rfc1035("_srv.example.org."));
  CHECK_FALSE(follows_rfc1035("}."));
  CHECK_FALSE(follows_rfc1035("1a.org."));
  CHECK_FALSE(follows_rfc1035("a-.org."));
  CHECK_FALSE(follows_rfc1035("example.org"));
  CHECK_FALSE(follows_rfc1035("."));
  CHECK_FALSE(follows_rfc1035("a..org."));

  CHECK(is_reverse_zone("0.0.10.in-addr.arpa."));
  CHECK(is_reverse_zone("d.f.ip6.arpa."));
  CHECK(is_reverse_zone("in-addr.arpa."));
  CHECK_FALSE(is_reverse_zone("example.org."));
  CHECK_FALSE(is_reverse_zone("xin-addr.arpa."));

  const auto srv = normalize_keys({"_srv.example.org:1053"}, "53").at(0);
  CHECK(srv.zone == "_srv.example.org.");
  CHECK_FALSE(follows_rfc1035(srv.zone));
  CHECK_FALSE(is_reverse_zone(srv.zone));
}
