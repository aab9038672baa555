// core/tls: a client Session against a server Session in memory, with certificates the test
// makes (tests/e2e/harness/tls_certs.py's standard set).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>
#include <vector>

#include "core/tls/tls.h"
#include "tests/support/tls_certs.h"

using namespace coredns::tls;

namespace {

std::string file(const char* name) { return coredns::testing::TlsCerts::path(name); }

std::shared_ptr<const ClientConfig> client_config(ClientOptions o) {
  auto r = make_client_config(o);
  INFO(r.error);
  REQUIRE(r);
  return r.value;
}
std::shared_ptr<const ServerConfig> server_config(const char* cert, const char* key,
                                                  ClientAuth auth = ClientAuth::nocert) {
  ServerOptions o{file(cert), file(key), auth == ClientAuth::nocert ? "" : file("ca.pem"), auth};
  auto r = make_server_config(o);
  INFO(r.error);
  REQUIRE(r);
  return r.value;
}
ClientOptions trusting(std::string name = "dns.test") {
  ClientOptions o;
  o.ca_file = file("ca.pem");
  o.server_name = std::move(name);
  return o;
}

std::vector<uint8_t> bytes(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7);
  return v;
}

// Both ends and what each decrypted; the network moves `piece` bytes per feed.
struct Link {
  std::unique_ptr<Session> client, server;
  std::vector<uint8_t> at_client, at_server;
  Session::Progress client_state, server_state;

  static void move(Session& from, Session& to, std::vector<uint8_t>& plain, Session::Progress& st,
                   size_t piece) {
    std::vector<uint8_t> wire = from.take_outgoing();
    for (size_t i = 0; i < wire.size(); i += piece)
      st = to.feed(std::span(wire).subspan(i, std::min(piece, wire.size() - i)), plain);
  }
  // Until neither side has anything left to send.
  void run(size_t piece = 1 << 20) {
    for (int round = 0; round < 50; ++round) {
      move(*client, *server, at_server, server_state, piece);
      move(*server, *client, at_client, client_state, piece);
      if (client->failed() || server->failed()) {
        // let the alert of the failed side reach the other
        move(*client, *server, at_server, server_state, piece);
        move(*server, *client, at_client, client_state, piece);
        return;
      }
      if (client->handshake_done() && server->handshake_done()) {
        std::vector<uint8_t> a = client->take_outgoing(), b = server->take_outgoing();
        if (a.empty() && b.empty()) return;
        std::vector<uint8_t> none;
        for (size_t i = 0; i < a.size(); i += piece)
          server_state = server->feed(std::span(a).subspan(i, std::min(piece, a.size() - i)),
                                      at_server);
        for (size_t i = 0; i < b.size(); i += piece)
          client_state = client->feed(std::span(b).subspan(i, std::min(piece, b.size() - i)),
                                      at_client);
      }
    }
  }
};

Link connect(ClientOptions o, const char* cert = "server.pem", const char* key = "server.key",
             ClientAuth auth = ClientAuth::nocert, std::string peer_ip = "127.0.0.1",
             std::shared_ptr<ResumptionCache> resume = nullptr) {
  Link l;
  l.server = Session::server(server_config(cert, key, auth));
  l.client = Session::client(client_config(std::move(o)), peer_ip, std::move(resume));
  l.run();
  return l;
}

}  // namespace

TEST_CASE("tls: handshake with the server's name, then data both ways in pieces of every size") {
  for (size_t piece : {size_t{1}, size_t{2}, size_t{3}, size_t{5}, size_t{7}, size_t{13},
                       size_t{64}, size_t{517}, size_t{4096}, size_t{16384}, size_t{70000}}) {
    CAPTURE(piece);
    Link l;
    l.server = Session::server(server_config("server.pem", "server.key"));
    l.client = Session::client(client_config(trusting()), "127.0.0.1");
    // Written before the handshake: held until it completes.
    auto early = bytes(100, 1);
    l.client->write(early);
    l.run(piece);
    REQUIRE(l.client->handshake_done());
    REQUIRE(l.server->handshake_done());
    CHECK(l.client->error().empty());
    CHECK(l.at_server == early);
    // Sizes across record boundaries (16 KiB records) in both directions.
    std::vector<uint8_t> sent_up = early, sent_down;
    for (size_t n : {size_t{1}, size_t{2}, size_t{511}, size_t{16384}, size_t{16385},
                     size_t{40000}}) {
      auto up = bytes(n, static_cast<uint8_t>(n)), down = bytes(n + 3, static_cast<uint8_t>(n + 1));
      l.client->write(up);
      l.server->write(down);
      sent_up.insert(sent_up.end(), up.begin(), up.end());
      sent_down.insert(sent_down.end(), down.begin(), down.end());
      l.run(piece);
    }
    CHECK(l.at_server == sent_up);
    CHECK(l.at_client == sent_down);
  }
}

TEST_CASE("tls: without a server name the dialled IP must be one of the certificate's IP SANs") {
  Link ok = connect(trusting(""), "server.pem", "server.key", ClientAuth::nocert, "127.0.0.1");
  CHECK(ok.client->handshake_done());
  Link v6 = connect(trusting(""), "server.pem", "server.key", ClientAuth::nocert, "::1");
  CHECK(v6.client->handshake_done());
  Link other_ip = connect(trusting(""), "server.pem", "server.key", ClientAuth::nocert, "10.0.0.1");
  CHECK(other_ip.client->failed());
  CHECK(other_ip.client->error() ==
        "tls: failed to verify certificate: x509: certificate is not valid for 10.0.0.1");
  Link no_ip = connect(trusting(""), "noip.pem", "noip.key");
  CHECK(no_ip.client->failed());
  CHECK(no_ip.client->error() ==
        "tls: failed to verify certificate: x509: certificate is not valid for 127.0.0.1");
  // An IP as the server name is checked the same way.
  Link ip_name = connect(trusting("127.0.0.1"), "server.pem", "server.key", ClientAuth::nocert,
                         "192.0.2.1");
  CHECK(ip_name.client->handshake_done());
}

TEST_CASE("tls: a certificate for another name is refused, and the server sees the alert") {
  Link l = connect(trusting("wrong.test"));
  CHECK_FALSE(l.client->handshake_done());
  REQUIRE(l.client->failed());
  CHECK(l.client->error() ==
        "tls: failed to verify certificate: x509: certificate is not valid for wrong.test");
  CHECK(l.server->failed());
  CHECK(l.server->error() == "remote error: tls: bad certificate");
}

TEST_CASE("tls: a certificate from an unknown CA is refused") {
  Link l = connect(trusting(), "other.pem", "other.key");
  REQUIRE(l.client->failed());
  CHECK(l.client->error() ==
        "tls: failed to verify certificate: x509: certificate signed by unknown authority");
  // The system's CAs do not know the test CA either.
  ClientOptions sys;
  sys.server_name = "dns.test";
  if (!system_ca_file().empty()) {
    Link s = connect(sys);
    CHECK(s.client->error() ==
          "tls: failed to verify certificate: x509: certificate signed by unknown authority");
  }
}

TEST_CASE("tls: an expired certificate is refused") {
  Link l = connect(trusting(), "expired.pem", "expired.key");
  REQUIRE(l.client->failed());
  CHECK(l.client->error() ==
        "tls: failed to verify certificate: x509: certificate has expired or is not yet valid");
}

TEST_CASE("tls: a server with a client CA requires a client certificate signed by it") {
  Link none = connect(trusting(), "server.pem", "server.key", ClientAuth::require_and_verify);
  CHECK(none.server->failed());
  CHECK_FALSE(none.server->handshake_done());
  CHECK(none.client->failed());
  CHECK(none.client->error() == "remote error: tls: bad certificate");

  ClientOptions with = trusting();
  with.cert_file = file("client.pem");
  with.key_file = file("client.key");
  Link ok = connect(with, "server.pem", "server.key", ClientAuth::require_and_verify);
  CHECK(ok.server->handshake_done());
  CHECK(ok.client->handshake_done());

  // A client certificate from a CA the server does not trust.
  ClientOptions stranger = trusting();
  stranger.cert_file = file("other-client.pem");
  stranger.key_file = file("other-client.key");
  Link bad = connect(stranger, "server.pem", "server.key", ClientAuth::require_and_verify);
  CHECK(bad.server->failed());
  CHECK(bad.server->error() ==
        "tls: failed to verify client certificate: x509: certificate signed by unknown authority");
  // verify_if_given: none is fine, a bad one is not; require: any is fine, none is not.
  CHECK(connect(trusting(), "server.pem", "server.key", ClientAuth::verify_if_given)
            .server->handshake_done());
  CHECK(connect(stranger, "server.pem", "server.key", ClientAuth::verify_if_given)
            .server->failed());
  CHECK(connect(stranger, "server.pem", "server.key", ClientAuth::require)
            .server->handshake_done());
  CHECK(connect(trusting(), "server.pem", "server.key", ClientAuth::require).server->failed());
}

TEST_CASE("tls: a client resumes its last session with the same upstream") {
  auto cache = std::make_shared<ResumptionCache>();
  auto scfg = server_config("server.pem", "server.key");
  auto ccfg = client_config(trusting());
  for (int i = 0; i < 3; ++i) {
    Link l;
    l.server = Session::server(scfg);
    l.client = Session::client(ccfg, "127.0.0.1", cache);
    l.run();
    REQUIRE(l.client->handshake_done());
    CHECK(l.client->resumed() == (i > 0));
    auto msg = bytes(30, 9);
    l.client->write(msg);
    l.run();
    CHECK(l.at_server == msg);
  }
  // Without the cache: a full handshake.
  Link fresh;
  fresh.server = Session::server(scfg);
  fresh.client = Session::client(ccfg, "127.0.0.1");
  fresh.run();
  CHECK(fresh.client->handshake_done());
  CHECK_FALSE(fresh.client->resumed());
}

TEST_CASE("tls: close_notify reaches the peer") {
  Link l = connect(trusting());
  REQUIRE(l.client->handshake_done());
  l.server->close();
  l.run();
  CHECK(l.client_state.closed_by_peer);
  CHECK_FALSE(l.client->failed());
}

TEST_CASE("tls: garbage instead of a handshake fails the session, later input too") {
  auto s = Session::server(server_config("server.pem", "server.key"));
  std::vector<uint8_t> plain, junk(64, 'x');
  auto p = s->feed(junk, plain);
  CHECK(p.failed);
  CHECK_FALSE(s->error().empty());
  CHECK(s->feed(junk, plain).failed);
  CHECK(plain.empty());
}

TEST_CASE("tls: config errors name the file and the reason") {
  ClientOptions o;
  o.ca_file = "/nonexistent/ca.pem";
  CHECK(make_client_config(o).error == "open /nonexistent/ca.pem: no such file or directory");
  o.ca_file = file("server.key");
  CHECK(make_client_config(o).error.starts_with(file("server.key") + ": no certificate found"));
  o = trusting();
  o.cert_file = file("client.pem");
  CHECK(make_client_config(o).error ==
        "a client certificate needs both a certificate and a key file");
  o.key_file = file("server.key");
  CHECK(make_client_config(o).error ==
        file("client.pem") + ", " + file("server.key") + ": private key does not match public key");
  ServerOptions so{file("server.pem"), "/nonexistent/key.pem", "", ClientAuth::nocert};
  CHECK(make_server_config(so).error == "open /nonexistent/key.pem: no such file or directory");
}

TEST_CASE("tls: the system CA bundle comes from SSL_CERT_FILE first") {
  const char* old = std::getenv("SSL_CERT_FILE");
  std::string saved = old ? old : "";
  setenv("SSL_CERT_FILE", file("ca.pem").c_str(), 1);
  CHECK(system_ca_file() == file("ca.pem"));
  ClientOptions o;
  o.server_name = "dns.test";
  Link l = connect(o);
  CHECK(l.client->handshake_done());
  if (old) setenv("SSL_CERT_FILE", saved.c_str(), 1);
  else unsetenv("SSL_CERT_FILE");
}
