// The bind directive: addresses and interface names, `except`, several lines, CoreDNS's errors.
#include <catch2/catch.hpp>

#include "plugins/bind/addresses.h"
#include "plugins/bind/interfaces.h"
#include "tests/support/plugin_setup.h"

namespace coredns::plugins {
const PluginDef& plugin_bind();
}

using coredns::plugins::plugin_bind;
using coredns::testing::run_setup;
using namespace coredns::plugins::bind;
using Hosts = std::vector<std::string>;

namespace {

const std::vector<Interface> kInterfaces = {
    {"lo", {"127.0.0.1", "::1"}},
    {"eth0", {"192.0.2.10", "2001:db8::10", "fe80::1%eth0"}},
    {"down0", {}},
};

Hosts hosts_of(const std::vector<std::string>& targets, const std::vector<std::string>& except = {}) {
  return listen_hosts(BindLine{targets, except}, kInterfaces);
}

std::string error_of(const std::string& body) { return run_setup(plugin_bind(), "bind", body).error; }

}  // namespace

TEST_CASE("bind takes addresses as given") {
  CHECK(hosts_of({"127.0.0.1"}) == Hosts{"127.0.0.1"});
  CHECK(hosts_of({"::1", "192.0.2.1"}) == Hosts{"::1", "192.0.2.1"});
  CHECK(hosts_of({"::ffff:127.0.0.1"}) == Hosts{"::ffff:127.0.0.1"});
}

TEST_CASE("an interface name stands for all its addresses, link-local ones scoped") {
  CHECK(hosts_of({"lo"}) == Hosts{"127.0.0.1", "::1"});
  CHECK(hosts_of({"eth0"}) == Hosts{"192.0.2.10", "2001:db8::10", "fe80::1%eth0"});
  CHECK(hosts_of({"down0"}).empty());
  CHECK(hosts_of({"lo", "192.0.2.99"}) == Hosts{"127.0.0.1", "::1", "192.0.2.99"});
}

TEST_CASE("except removes addresses, given directly or through an interface") {
  CHECK(hosts_of({"lo"}, {"::1"}) == Hosts{"127.0.0.1"});
  CHECK(hosts_of({"lo", "eth0"}, {"eth0"}) == Hosts{"127.0.0.1", "::1"});
  CHECK(hosts_of({"lo"}, {"lo"}).empty());
  CHECK(hosts_of({"127.0.0.1"}, {"192.0.2.1"}) == Hosts{"127.0.0.1"});
}

TEST_CASE("anything that is neither an address nor an interface is rejected") {
  CHECK_THROWS_WITH(hosts_of({"nope0"}),
                    "not a valid IP address or interface name: \"nope0\"");
  CHECK_THROWS_WITH(hosts_of({"fe80::1%eth0"}),
                    "not a valid IP address or interface name: \"fe80::1%eth0\"");
  CHECK_THROWS_WITH(hosts_of({"010.0.0.1"}),
                    "not a valid IP address or interface name: \"010.0.0.1\"");
  CHECK_THROWS_WITH(hosts_of({"127.0.0.1"}, {"localhost"}),
                    "not a valid IP address or interface name: \"localhost\"");
}

TEST_CASE("the setup sets the block's listen hosts, lines adding up") {
  auto r = run_setup(plugin_bind(), "bind", "bind 127.0.0.1\nbind ::1 127.0.0.2");
  REQUIRE(r.error == "");
  CHECK(r.block.bind_hosts == Hosts{"127.0.0.1", "::1", "127.0.0.2"});
  CHECK(r.block.bind_used);
  CHECK(r.handlers.empty());
}

TEST_CASE("except applies to its own line") {
  auto r = run_setup(plugin_bind(), "bind",
                     "bind 127.0.0.1 127.0.0.2 {\n except 127.0.0.2\n}\nbind 127.0.0.2");
  REQUIRE(r.error == "");
  CHECK(r.block.bind_hosts == Hosts{"127.0.0.1", "127.0.0.2"});
}

TEST_CASE("excepting everything leaves the block bound to nothing") {
  auto r = run_setup(plugin_bind(), "bind", "bind 127.0.0.1 {\n except 127.0.0.1\n}");
  REQUIRE(r.error == "");
  CHECK(r.block.bind_hosts.empty());
  CHECK(r.block.bind_used);
}

TEST_CASE("bind's errors are CoreDNS's") {
  CHECK(error_of("bind") == "plugin/bind: at least one address or interface name is expected");
  CHECK(error_of("bind 127.0.0.1 {\n except\n}") ==
        "plugin/bind: at least one address or interface must be given to except subdirective");
  CHECK(error_of("bind 127.0.0.1 {\n only 127.0.0.2\n}") == "plugin/bind: invalid option \"only\"");
  CHECK(error_of("bind example.org") ==
        "plugin/bind: not a valid IP address or interface name: \"example.org\"");
  CHECK(error_of("bind 127.0.0.1 {\n except 127.0.0.300\n}") ==
        "plugin/bind: not a valid IP address or interface name: \"127.0.0.300\"");
}

TEST_CASE("the host's loopback interface is found with its addresses") {
  auto ifaces = system_interfaces();
  auto lo = std::find_if(ifaces.begin(), ifaces.end(), [](const Interface& i) { return i.name == "lo"; });
  REQUIRE(lo != ifaces.end());
  CHECK(std::find(lo->addresses.begin(), lo->addresses.end(), "127.0.0.1") != lo->addresses.end());
}
