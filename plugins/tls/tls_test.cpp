// tls: the directive's parsing and errors, and the layer a tls:// block's connections go
// through, against a core/tls client in memory, with the unit tests' certificate set
// (tests/support/tls_certs.h).
#include <catch2/catch.hpp>

#include "core/dns/wire.h"
#include "core/tls/tls.h"
#include "tests/support/plugin_setup.h"
#include "tests/support/tls_certs.h"

namespace coredns::plugins {
const PluginDef& plugin_tls();
}

using coredns::plugins::plugin_tls;
using coredns::testing::run_setup;

namespace {

std::string file(const char* name) { return coredns::testing::TlsCerts::path(name); }

std::string error_of(const std::string& body) { return run_setup(plugin_tls(), "tls", body).error; }

std::string pair_line(const std::string& rest = "") {
  return "tls " + file("server.pem") + " " + file("server.key") + rest;
}

}  // namespace

TEST_CASE("tls: the directive line's argument count, wrapped twice as CoreDNS does") {
  CHECK(error_of("tls cert.pem") ==
        "plugin/tls: plugin/tls: Corefile:1 - Error during parsing: Wrong argument count or "
        "unexpected line ending after 'cert.pem'");
  CHECK(error_of("tls a b c d") ==
        "plugin/tls: plugin/tls: Corefile:1 - Error during parsing: Wrong argument count or "
        "unexpected line ending after 'd'");
}

TEST_CASE("tls: ACME mode is refused by name") {
  CHECK(error_of("tls {\n acme example.org\n}") ==
        "plugin/tls: Corefile:1 - Error during parsing: tls without CERT and KEY (ACME) is not "
        "supported by this build");
}

TEST_CASE("tls: block options") {
  CHECK(error_of(pair_line(" {\n unknown\n}")) ==
        "plugin/tls: Corefile:2 - Error during parsing: unknown option 'unknown'");
  CHECK(error_of(pair_line(" {\n client_auth\n}")) ==
        "plugin/tls: Corefile:2 - Error during parsing: Wrong argument count or unexpected line "
        "ending after 'client_auth'");
  CHECK(error_of(pair_line(" {\n client_auth require verify_if_given\n}")) ==
        "plugin/tls: Corefile:2 - Error during parsing: Wrong argument count or unexpected line "
        "ending after 'verify_if_given'");
  CHECK(error_of(pair_line(" {\n client_auth bogus\n}")) ==
        "plugin/tls: Corefile:2 - Error during parsing: unknown authentication type 'bogus'");
  CHECK(error_of(pair_line(" {\n keylog /tmp/keys\n}")) ==
        "plugin/tls: Corefile:2 - Error during parsing: keylog is not supported by this build");
  for (const char* auth : {"nocert", "request", "require", "verify_if_given", "require_and_verify"})
    CHECK(error_of(pair_line(" " + file("ca.pem") + " {\n client_auth " + auth + "\n}")).empty());
}

TEST_CASE("tls: unreadable files name themselves as CoreDNS's errors do") {
  CHECK(error_of("tls /nonexistent/cert.pem " + file("server.key")) ==
        "plugin/tls: could not load TLS cert: open /nonexistent/cert.pem: no such file or "
        "directory");
  CHECK(error_of("tls " + file("server.pem") + " /nonexistent/key.pem") ==
        "plugin/tls: could not load TLS cert: open /nonexistent/key.pem: no such file or "
        "directory");
  CHECK(error_of(pair_line(" /nonexistent/ca.pem")) ==
        "plugin/tls: error reading /nonexistent/ca.pem: open /nonexistent/ca.pem: no such file "
        "or directory");
  CHECK(error_of(pair_line(" /nonexistent/ca.pem {\n client_auth require_and_verify\n}")) ==
        "plugin/tls: error reading /nonexistent/ca.pem: open /nonexistent/ca.pem: no such file "
        "or directory");
  // A key that is not the certificate's.
  CHECK(error_of("tls " + file("server.pem") + " " + file("client.key"))
            .starts_with("plugin/tls: could not load TLS cert: "));
}

TEST_CASE("tls: the last line of a block wins") {
  auto r = run_setup(plugin_tls(), "tls", "tls /nonexistent/a /nonexistent/b\n" + pair_line());
  CHECK(r.error.empty());
  CHECK(r.block.stream_layer != nullptr);
}

namespace {

// Moves bytes between a client session and the server's layer until neither has any to send.
void pump(coredns::tls::Session& client, coredns::StreamLayer& server,
          std::vector<uint8_t>& client_plain, std::vector<uint8_t>& server_plain, bool& server_ok) {
  for (int round = 0; round < 20; ++round) {
    auto to_server = client.take_outgoing();
    if (!to_server.empty()) server_ok = server.feed(to_server, server_plain) && server_ok;
    auto to_client = server.take_outgoing();
    if (!to_client.empty()) client.feed(to_client, client_plain);
    if (to_server.empty() && to_client.empty()) return;
  }
}

}  // namespace

TEST_CASE("tls: the layer carries the framed stream both ways over a real handshake") {
  auto r = run_setup(plugin_tls(), "tls", pair_line());
  REQUIRE(r.error.empty());
  auto layer = r.block.stream_layer->open();
  coredns::tls::ClientOptions o;
  o.ca_file = file("ca.pem");
  o.server_name = "dns.test";
  auto cc = coredns::tls::make_client_config(o);
  REQUIRE(cc);
  auto client = coredns::tls::Session::client(cc.value, "127.0.0.1");
  const std::vector<uint8_t> query = {0, 3, 'a', 'b', 'c'};
  client->write(query);
  std::vector<uint8_t> client_plain, server_plain;
  bool ok = true;
  pump(*client, *layer, client_plain, server_plain, ok);
  CHECK(ok);
  CHECK(client->handshake_done());
  CHECK(server_plain == query);
  const std::vector<uint8_t> reply = {0, 2, 'o', 'k'};
  layer->write(reply);
  pump(*client, *layer, client_plain, server_plain, ok);
  CHECK(client_plain == reply);
}

TEST_CASE("tls: garbage instead of a ClientHello fails the layer") {
  auto r = run_setup(plugin_tls(), "tls", pair_line());
  REQUIRE(r.error.empty());
  auto layer = r.block.stream_layer->open();
  std::vector<uint8_t> plain;
  const std::string junk = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  CHECK_FALSE(layer->feed({reinterpret_cast<const uint8_t*>(junk.data()), junk.size()}, plain));
  CHECK(plain.empty());
}

TEST_CASE("tls: a client without a certificate is refused when one is required") {
  auto r = run_setup(plugin_tls(), "tls",
                     pair_line(" " + file("ca.pem") + " {\n client_auth require_and_verify\n}"));
  REQUIRE(r.error.empty());
  auto layer = r.block.stream_layer->open();
  coredns::tls::ClientOptions o;
  o.ca_file = file("ca.pem");
  o.server_name = "dns.test";
  auto client = coredns::tls::Session::client(coredns::tls::make_client_config(o).value, "");
  client->write(std::vector<uint8_t>{0, 1, 'x'});
  std::vector<uint8_t> client_plain, server_plain;
  bool ok = true;
  pump(*client, *layer, client_plain, server_plain, ok);
  CHECK_FALSE(ok);
  CHECK(server_plain.empty());
}
