// HTTP endpoints across the life of configurations, driven through the lifecycle callbacks the
// way Process runs them: first start, reloads that keep, move, add or drop addresses, failed
// reloads, and the exit (endpoints serve through final_shutdown's earlier callbacks).
#include <catch2/catch.hpp>

#include "core/corefile/lexer.h"
#include "core/http/endpoints.h"
#include "core/util/error.h"
#include "tests/support/http_client.h"

using namespace coredns;
using coredns::testing::HttpConnection;
using coredns::testing::http_get;

namespace {

// One configuration: what a plugin's setup would have added, and its lifecycle.
struct Config {
  Lifecycle lifecycle;
  std::unique_ptr<SharedState> state = std::make_unique<SharedState>();
  BlockOptions block;
  std::vector<corefile::ZoneAddress> zones;
  ProcessOptions options;

  Config(SharedState& process, std::vector<std::pair<std::string, std::string>> endpoints) {
    for (const auto& [address, text] : endpoints) {
      SetupContext ctx("health", corefile::Dispenser({}, "Corefile"), zones, 0, block, lifecycle,
                       *state, process, options);
      http::add_endpoint(ctx, address, "/x", [text](const http::Request&) {
        return http::Reply{200, "text/plain", text};
      });
    }
  }
  // What a configuration's destruction does to the plugin state.
  void destroy() { state.reset(); }
};

void start(Config& c) {
  Lifecycle::run(c.lifecycle.startup);
  Lifecycle::run(c.lifecycle.started);
}

// Process::reload's order; `ok` false fails the reload after the new startup ran.
bool reload(Config& old, Config& next, bool ok = true) {
  Lifecycle::run(old.lifecycle.restart);
  try {
    Lifecycle::run(next.lifecycle.startup);
    if (!ok) throw ConfigError("Listen: listen tcp :53: bind: address already in use");
  } catch (const ConfigError&) {
    Lifecycle::run(old.lifecycle.restart_failed);
    next.destroy();
    return false;
  }
  Lifecycle::run(old.lifecycle.shutdown);
  Lifecycle::run(next.lifecycle.started);
  old.destroy();
  return true;
}

std::string get(http::Server& s, const std::string& address, const char* ip = "127.0.0.1") {
  const int port = s.port(address);
  return port ? HttpConnection::body(http_get(port, "/x", ip)) : "<closed>";
}

}  // namespace

TEST_CASE("First start binds in startup and serves; exit keeps it up until the stop") {
  SharedState process;
  http::Server& server = http::process_server(process);
  Config a(process, {{"127.0.0.1:0", "a"}});
  start(a);
  CHECK(get(server, "127.0.0.1:0") == "a");
  const int port = server.port("127.0.0.1:0");
  // Exit: shutdown (no reload in progress) leaves the endpoint up for the final shutdown.
  Lifecycle::run(a.lifecycle.shutdown);
  CHECK(get(server, "127.0.0.1:0") == "a");
  Lifecycle::run(a.lifecycle.final_shutdown);
  CHECK_FALSE(HttpConnection(port).connected());
}

TEST_CASE("A reload keeps an unchanged address bound: same socket, same connection, new routes") {
  SharedState process;
  http::Server& server = http::process_server(process);
  Config a(process, {{"127.0.0.1:0", "old"}});
  start(a);
  const int port = server.port("127.0.0.1:0");
  HttpConnection kept(port);
  CHECK(HttpConnection::body(kept.request("GET", "/x")) == "old");
  Config b(process, {{"127.0.0.1:0", "new"}});
  REQUIRE(reload(a, b));
  CHECK(server.port("127.0.0.1:0") == port);
  CHECK(HttpConnection::body(kept.request("GET", "/x")) == "new");
  CHECK_FALSE(kept.closed());
}

TEST_CASE("A reload binds added addresses and closes removed ones") {
  SharedState process;
  http::Server& server = http::process_server(process);
  Config a(process, {{"127.0.0.1:0", "a"}});
  start(a);
  const int old_port = server.port("127.0.0.1:0");
  Config b(process, {{"127.0.0.2:0", "b"}});
  REQUIRE(reload(a, b));
  CHECK_FALSE(HttpConnection(old_port).connected());
  CHECK(server.addresses() == std::vector<std::string>{"127.0.0.2:0"});
  CHECK(get(server, "127.0.0.2:0", "127.0.0.2") == "b");
}

TEST_CASE("A failed reload leaves the old endpoints serving and closes what it bound") {
  SharedState process;
  http::Server& server = http::process_server(process);
  Config a(process, {{"127.0.0.1:0", "a"}});
  start(a);
  Config b(process, {{"127.0.0.1:0", "b"}, {"127.0.0.2:0", "b2"}});
  REQUIRE_FALSE(reload(a, b, false));
  CHECK(server.addresses() == std::vector<std::string>{"127.0.0.1:0"});
  CHECK(get(server, "127.0.0.1:0") == "a");
  // The next reload works as usual.
  Config c(process, {{"127.0.0.1:0", "c"}});
  REQUIRE(reload(a, c));
  CHECK(get(server, "127.0.0.1:0") == "c");
}

TEST_CASE("A reload whose new address cannot be bound fails with Go's text; the old serves") {
  SharedState process;
  http::Server& server = http::process_server(process);
  Config a(process, {{"127.0.0.1:0", "a"}});
  start(a);
  Config b(process, {{"127.0.0.1:0", "b"}, {":99999", "b"}});
  std::string error;
  Lifecycle::run(a.lifecycle.restart);
  try {
    Lifecycle::run(b.lifecycle.startup);
  } catch (const ConfigError& e) {
    error = e.what();
  }
  CHECK(error == "listen tcp: address 99999: invalid port");
  Lifecycle::run(a.lifecycle.restart_failed);
  b.destroy();
  CHECK(get(server, "127.0.0.1:0") == "a");
}

TEST_CASE("A configuration without endpoints closes the old ones; a later one binds again") {
  SharedState process;
  http::Server& server = http::process_server(process);
  Config a(process, {{"127.0.0.1:0", "a"}});
  start(a);
  Config none(process, {});
  REQUIRE(reload(a, none));
  CHECK(server.addresses().empty());
  Config c(process, {{"127.0.0.1:0", "c"}});
  REQUIRE(reload(none, c));
  CHECK(get(server, "127.0.0.1:0") == "c");
}

TEST_CASE("Several plugins on one address share one listener, routed by path") {
  SharedState process;
  http::Server& server = http::process_server(process);
  Config a(process, {});
  for (const char* path : {"/health", "/ready"}) {
    SetupContext ctx("x", corefile::Dispenser({}, "Corefile"), a.zones, 0, a.block, a.lifecycle,
                     *a.state, process, a.options);
    http::add_endpoint(ctx, "127.0.0.1:0", path, [path](const http::Request&) {
      return http::Reply{200, "text/plain", path};
    });
  }
  start(a);
  CHECK(server.addresses().size() == 1);
  const int port = server.port("127.0.0.1:0");
  CHECK(HttpConnection::body(http_get(port, "/health")) == "/health");
  CHECK(HttpConnection::body(http_get(port, "/ready")) == "/ready");
}
