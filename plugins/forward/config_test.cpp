#include <arpa/inet.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/corefile/parser.h"
#include "core/dns/types.h"
#include "core/util/error.h"
#include "plugins/forward/config.h"
#include "tests/support/tls_certs.h"

using namespace coredns;
using namespace coredns::plugins::forward;

namespace {

ForwardConfig parse(const std::string& directive, ParseNotes* notes_out = nullptr) {
  corefile::ParseOptions po;
  auto blocks = corefile::parse(". {\n" + directive + "\n}\n", po);
  corefile::Dispenser d(*blocks.at(0).find("forward"), "Corefile");
  d.next();
  ParseNotes notes;
  auto f = parse_forward(d, notes);
  if (notes_out) *notes_out = notes;
  return f;
}

std::string error_of(const std::string& directive) {
  try {
    parse(directive);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "<no error>";
}

std::vector<std::string> to_texts(const ForwardConfig& f) {
  std::vector<std::string> out;
  for (const auto& u : f.to) out.push_back(u.text);
  return out;
}

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& content) {
    char tmpl[] = "/tmp/forward-resolv-XXXXXX";
    int fd = mkstemp(tmpl);
    path = tmpl;
    if (write(fd, content.data(), content.size()) < 0) path.clear();
    close(fd);
  }
  ~TempFile() { unlink(path.c_str()); }
};

}  // namespace

TEST_CASE("forward . 127.0.0.1 takes CoreDNS's defaults") {
  auto f = parse("forward . 127.0.0.1");
  CHECK(f.from.to_text() == ".");
  CHECK(to_texts(f) == std::vector<std::string>{"127.0.0.1:53"});
  CHECK(f.max_fails == 2);
  CHECK(f.health_check == std::chrono::milliseconds(500));
  CHECK(f.health_check_rd);
  CHECK(f.health_check_domain.to_text() == ".");
  CHECK(f.expire == std::chrono::seconds(10));
  CHECK(f.read_timeout == std::chrono::seconds(2));
  CHECK(f.policy == Policy::random);
  CHECK(f.max_concurrent == 0);
  CHECK_FALSE(f.force_tcp);
  CHECK_FALSE(f.prefer_udp);
  CHECK_FALSE(f.failfast_all_unhealthy);
  CHECK(f.attempt_cap() == 2);
  CHECK(f.next.none());
}

TEST_CASE("FROM is normalised; a reverse CIDR keeps its first zone with a warning") {
  CHECK(parse("forward Example.ORG 127.0.0.1").from.to_text() == "example.org.");
  ParseNotes notes;
  auto f = parse("forward 10.9.3.0/18 127.0.0.1", &notes);
  CHECK(f.from.to_text() == "0.9.10.in-addr.arpa.");
  REQUIRE(notes.warnings.size() == 1);
  CHECK(notes.warnings[0] ==
        "Unsupported CIDR notation: '10.9.3.0/18' expands to multiple zones. Using only "
        "'0.9.10.in-addr.arpa.'.");
  CHECK(error_of("forward " + std::string(64, 'a') + ".org 127.0.0.1") ==
        "unable to normalize '" + std::string(64, 'a') + ".org'");
}

TEST_CASE("TO forms: IP, IP:port, [IPv6]:port, dns://, duplicates removed") {
  CHECK(to_texts(parse("forward . [::1]:53")) == std::vector<std::string>{"[::1]:53"});
  CHECK(to_texts(parse("forward . [2003::1]:53")) == std::vector<std::string>{"[2003::1]:53"});
  CHECK(to_texts(parse("forward . 127.0.0.1:8080")) == std::vector<std::string>{"127.0.0.1:8080"});
  CHECK(to_texts(parse("forward . ::1")) == std::vector<std::string>{"[::1]:53"});
  CHECK(to_texts(parse("forward . dns://10.0.0.1 dns://10.0.0.1:53 10.0.0.2")) ==
        std::vector<std::string>{"10.0.0.1:53", "10.0.0.2:53"});
}

TEST_CASE("TO: a link-local IPv6 upstream keeps its zone") {
  auto f = parse("forward . fe80::1%lo");
  REQUIRE(f.to.size() == 1);
  CHECK(f.to[0].text == "[fe80::1%lo]:53");
  const auto* s6 = reinterpret_cast<const sockaddr_in6*>(&f.to[0].addr);
  CHECK(s6->sin6_scope_id != 0);
  CHECK(to_texts(parse("forward . [fe80::1%lo]:5353")) ==
        std::vector<std::string>{"[fe80::1%lo]:5353"});
  CHECK(error_of("forward . fe80::1%nosuchif0") ==
        "invalid IPv6 zone 'nosuchif0' in fe80::1%nosuchif0: no such interface");
}

TEST_CASE("TO: tls:// and https:// parse; paths and other schemes are rejected") {
  auto f = parse("forward . tls://127.0.0.1%example.net:854");
  REQUIRE(f.to.size() == 1);
  CHECK(f.to[0].scheme == Scheme::tls);
  CHECK(f.to[0].tls_servername == "example.net");
  CHECK(f.to[0].text == "127.0.0.1:854");
  auto g = parse("forward . tls://[2400:3200::1%dns.alidns.com]:853");
  CHECK(g.to[0].tls_servername == "dns.alidns.com");
  CHECK(parse("forward . tls://1.1.1.1").to[0].text == "1.1.1.1:853");
  CHECK(parse("forward . https://1.1.1.1").to[0].text == "1.1.1.1:443");
  CHECK(error_of("forward . https://1.1.1.1/") ==
        "paths are not allowed in HTTPS upstream addresses: https://1.1.1.1/");
  CHECK(error_of("forward . grpc://1.1.1.1") == "'grpc' is not supported as a destination protocol");
  CHECK(error_of("forward . tls://127.0.0.1%example.net:854 {\ntls_servername foo\n}") ==
        "both forward (foo) and proxy level (example.net) TLS servernames are set for upstream "
        "127.0.0.1:854");
}

TEST_CASE("TO: resolv.conf files") {
  TempFile two("# comment\nnameserver 10.10.255.252\nnameserver 10.10.255.253\nsearch x\n");
  CHECK(to_texts(parse("forward . " + two.path)) ==
        std::vector<std::string>{"10.10.255.252:53", "10.10.255.253:53"});
  TempFile scoped("nameserver fe80::1%lo\n");
  CHECK(to_texts(parse("forward . " + scoped.path)) == std::vector<std::string>{"[fe80::1%lo]:53"});
  TempFile empty("search example.org\n");
  CHECK(error_of("forward . " + empty.path) == "no valid upstream addresses found");
  CHECK(to_texts(parse("forward . " + empty.path + " 127.0.0.1")) ==
        std::vector<std::string>{"127.0.0.1:53"});
}

TEST_CASE("TO: names that are neither addresses nor files") {
  CHECK(error_of("forward . not/a/file") ==
        "not an IP address, file, or valid domain: \"not/a/file\"");
  // A valid host name that does not resolve (the resolver is a closed local port).
  CHECK(error_of("forward . a27.0.0.1 {\nresolver 127.0.0.1:9\n}").rfind(
            "failed to resolve \"a27.0.0.1\"", 0) == 0);
}

TEST_CASE("more than 15 upstreams is an error") {
  std::string to;
  for (int i = 1; i <= 16; ++i) to += " 10.0.0." + std::to_string(i);
  CHECK(error_of("forward ." + to) == "more than 15 TOs configured: 16");
}

TEST_CASE("missing arguments") {
  CHECK(error_of("forward").find("Wrong argument count") != std::string::npos);
  CHECK(error_of("forward .").find("Wrong argument count") != std::string::npos);
}

TEST_CASE("block options: accepted forms") {
  auto f = parse(
      "forward . 127.0.0.1 127.0.0.2 {\n"
      "  except miek.nl Example.ORG\n"
      "  force_tcp\n"
      "  prefer_udp\n"
      "  expire 30s\n"
      "  max_age 1m\n"
      "  max_idle_conns 4\n"
      "  read_timeout 3s\n"
      "  max_fails 5\n"
      "  max_connect_attempts 7\n"
      "  policy sequential\n"
      "  health_check 1s no_rec domain example.com\n"
      "  max_concurrent 100\n"
      "  next NXDOMAIN servfail\n"
      "  next_on_nodata\n"
      "  failover REFUSED\n"
      "  failfast_all_unhealthy_upstreams\n"
      "  source_address ::ffff:192.0.2.1\n"
      "  doh_method GET\n"
      "}");
  REQUIRE(f.except.size() == 2);
  CHECK(f.except[1].to_text() == "example.org.");
  CHECK(f.force_tcp);
  CHECK(f.prefer_udp);
  CHECK(f.expire == std::chrono::seconds(30));
  CHECK(f.max_age == std::chrono::minutes(1));
  CHECK(f.max_idle_conns == 4);
  CHECK(f.read_timeout == std::chrono::seconds(3));
  CHECK(f.max_fails == 5);
  CHECK(f.attempt_cap() == 7);
  CHECK(f.policy == Policy::sequential);
  CHECK(f.health_check == std::chrono::seconds(1));
  CHECK_FALSE(f.health_check_rd);
  CHECK(f.health_check_domain.to_text() == "example.com.");
  CHECK(f.max_concurrent == 100);
  CHECK(f.next.test(dns::rcode::NXDOMAIN));
  CHECK(f.next.test(dns::rcode::SERVFAIL));
  CHECK(f.next.count() == 2);
  CHECK(f.next_on_nodata);
  CHECK(f.failover.test(dns::rcode::REFUSED));
  CHECK(f.failfast_all_unhealthy);
  REQUIRE(f.source_address);
  CHECK(f.source_address->ss_family == AF_INET);  // the IPv4-mapped form is stored as IPv4
  CHECK(f.doh_get);
  CHECK(parse("forward . 127.0.0.1 {\npolicy round_robin\n}").policy == Policy::round_robin);
  CHECK(parse("forward . 127.0.0.1 {\npolicy random\n}").policy == Policy::random);
  CHECK(parse("forward . 127.0.0.1 {\nhealth_check 0s\n}").health_check == Duration::zero());
  CHECK(parse("forward . 127.0.0.1 {\nmax_fails 0\n}").max_fails == 0);
  CHECK(parse("forward . 127.0.0.1 {\nmax_connect_attempts 0\n}").attempt_cap() == 0);
  CHECK(parse("forward . 127.0.0.1 127.0.0.2 127.0.0.3").attempt_cap() == 6);
}

TEST_CASE("block options: rejected forms and their texts") {
  auto err = [](const std::string& body) {
    return error_of("forward . 127.0.0.1 {\n" + body + "\n}");
  };
  CHECK(err("max_concurrent many") == "strconv.Atoi: parsing \"many\": invalid syntax");
  CHECK(err("max_concurrent -4") == "max_concurrent can't be negative: -4");
  CHECK(err("max_idle_conns -1") == "max_idle_conns can't be negative: -1");
  CHECK(err("max_connect_attempts -4") == "strconv.ParseUint: parsing \"-4\": invalid syntax");
  CHECK(err("max_fails x") == "strconv.ParseUint: parsing \"x\": invalid syntax");
  CHECK(err("health_check no_rec") == "time: invalid duration \"no_rec\"");
  CHECK(err("health_check 0.5s rec") == "health_check: unknown option rec");
  CHECK(err("health_check 0.5s domain").find("Wrong argument count") != std::string::npos);
  CHECK(err("health_check 0.5s domain example..org") ==
        "health_check: invalid domain name example..org");
  CHECK(err("health_check -1s") == "health_check can't be negative: -1s");
  CHECK(err("health_check").find("Wrong argument count") != std::string::npos);
  CHECK(err("next").find("Wrong argument count") != std::string::npos);
  CHECK(err("next INVALID") == "INVALID is not a valid rcode");
  CHECK(err("failover NOERROR") == "NoError cannot be used in failover");
  CHECK(err("failover X") == "X is not a valid rcode");
  CHECK(err("failfast_all_unhealthy_upstreams false").find("Wrong argument count") !=
        std::string::npos);
  CHECK(err("force_tcp yes").find("Wrong argument count") != std::string::npos);
  CHECK(err("prefer_udp yes").find("Wrong argument count") != std::string::npos);
  CHECK(err("next_on_nodata yes").find("Wrong argument count") != std::string::npos);
  CHECK(err("except").find("Wrong argument count") != std::string::npos);
  CHECK(err("expire -1s") == "expire can't be negative: -1s");
  CHECK(err("expire soon") == "time: invalid duration \"soon\"");
  CHECK(err("read_timeout 0s") == "read_timeout must be positive: 0s");
  CHECK(err("max_age 5s") == "max_age (5s) must not be less than expire (10s)");
  CHECK(err("max_age -5s") == "max_age can't be negative: -5s");
  CHECK(err("policy fastest") == "Corefile:3 - Error during parsing: unknown policy 'fastest'");
  CHECK(err("bogus") == "Corefile:3 - Error during parsing: unknown property 'bogus'");
  CHECK(err("doh_method get") == "doh_method must be either POST or GET");
  CHECK(err("source_address not-an-ip") == "invalid IP address: not-an-ip");
  CHECK(err("resolver example.org") ==
        "resolver must be an IP address or IP:port: example.org");
  CHECK(err("tls a b c d").find("Wrong argument count") != std::string::npos);
  CHECK(err("tls /nonexistent/cert.pem") ==
        "open /nonexistent/cert.pem: no such file or directory");
  CHECK(err("tls_servername").find("Wrong argument count") != std::string::npos);
}

TEST_CASE("tls_servername and tls files are accepted for plain upstreams") {
  TempFile cert("x");
  auto f = parse("forward . 127.0.0.1 {\ntls " + cert.path + "\ntls_servername dns.example\n}");
  CHECK(f.tls_servername == "dns.example");
  CHECK(f.tls_files.size() == 1);
}

namespace {

// "ca.pem" -> the path of tests/e2e/harness/tls_certs.py's file.
std::string cert(const char* name) { return testing::TlsCerts::path(name); }

std::string tls_error_of(const std::string& directive) {
  try {
    tls_configs(parse(directive));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "<no error>";
}

}  // namespace

TEST_CASE("tls configs: one per server name, none for plain upstreams") {
  const auto& c = cert;
  auto f = parse("forward . 127.0.0.1 tls://127.0.0.1 tls://127.0.0.2%a.test tls://127.0.0.3%a.test "
                 "tls://[::1]:8853 {\ntls " + c("ca.pem") + "\n}");
  auto cfg = tls_configs(f);
  REQUIRE(cfg.size() == 5);
  CHECK(cfg[0] == nullptr);
  CHECK(cfg[1] != nullptr);
  CHECK(cfg[2] != nullptr);
  CHECK(cfg[2] != cfg[1]);
  CHECK(cfg[3] == cfg[2]);
  CHECK(cfg[4] == cfg[1]);
  CHECK(f.to[4].text == "[::1]:8853");
  // A block-wide name: every tls:// upstream shares it.
  auto g = tls_configs(parse("forward . tls://127.0.0.1 tls://127.0.0.2 {\ntls " + c("ca.pem") +
                             "\ntls_servername dns.test\n}"));
  CHECK(g[0] == g[1]);
}

TEST_CASE("tls configs: CoreDNS's 0 to 3 file forms and the errors of bad files") {
  const auto& c = cert;
  setenv("SSL_CERT_FILE", c("ca.pem").c_str(), 1);
  CHECK(tls_error_of("forward . tls://127.0.0.1 {\ntls\n}") == "<no error>");
  CHECK(tls_error_of("forward . tls://127.0.0.1 {\ntls " + c("ca.pem") + "\n}") == "<no error>");
  CHECK(tls_error_of("forward . tls://127.0.0.1 {\ntls " + c("client.pem") + " " +
                     c("client.key") + "\n}") == "<no error>");
  CHECK(tls_error_of("forward . tls://127.0.0.1 {\ntls " + c("client.pem") + " " +
                     c("client.key") + " " + c("ca.pem") + "\n}") == "<no error>");
  unsetenv("SSL_CERT_FILE");
  // A key where the CA should be.
  CHECK(tls_error_of("forward . tls://127.0.0.1 {\ntls " + c("ca.key") + "\n}")
            .starts_with(c("ca.key") + ": no certificate found"));
  CHECK(tls_error_of("forward . tls://127.0.0.1 {\ntls " + c("client.pem") + " " +
                     c("server.key") + " " + c("ca.pem") + "\n}") ==
        c("client.pem") + ", " + c("server.key") + ": private key does not match public key");
  // Plain upstreams ignore the files, as CoreDNS does.
  CHECK(tls_error_of("forward . 127.0.0.1 {\ntls " + c("ca.key") + "\n}") == "<no error>");
}
