#include <catch2/catch.hpp>

#include "nat64/cli.h"

using namespace nat64;

TEST_CASE("cli: Tayga's options", "[cli]") {
  auto r = parse_cli({});
  REQUIRE(r.error.empty());
  CHECK(r.opts.config == "/etc/tayga.conf");
  CHECK_FALSE(r.opts.debug);

  r = parse_cli({"-c", "/tmp/t.conf", "-d", "-p", "/run/t.pid", "-u", "nobody", "-g", "nogroup", "-r"});
  REQUIRE(r.error.empty());
  CHECK(r.opts.config == "/tmp/t.conf");
  CHECK(r.opts.debug);
  CHECK(r.opts.pidfile == "/run/t.pid");
  CHECK(r.opts.user == "nobody");
  CHECK(r.opts.group == "nogroup");
  CHECK(r.opts.chroot);

  r = parse_cli({"--config=/x.conf", "--nodetach", "--pidfile", "/p", "--user=u", "--chroot"});
  REQUIRE(r.error.empty());
  CHECK(r.opts.config == "/x.conf");
  CHECK(r.opts.nodetach);
  CHECK(r.opts.pidfile == "/p");

  r = parse_cli({"-dn", "-c/y.conf"});
  REQUIRE(r.error.empty());
  CHECK((r.opts.debug && r.opts.nodetach));
  CHECK(r.opts.config == "/y.conf");

  r = parse_cli({"--mktun", "-c", "/t"});
  REQUIRE(r.error.empty());
  CHECK(r.opts.mktun);
  CHECK(parse_cli({"--rmtun"}).opts.rmtun);
  CHECK(parse_cli({"--journal"}).opts.log_target == LogTarget::journal);
  CHECK(parse_cli({"--stdout"}).opts.log_target == LogTarget::stdout_);
  CHECK(parse_cli({"--syslog"}).opts.log_target == LogTarget::syslog);
  CHECK(parse_cli({"--metrics-addr", "127.0.0.1:9176"}).opts.metrics_addr == "127.0.0.1:9176");
  CHECK(parse_cli({"-h"}).opts.help);
  CHECK(parse_cli({"--help"}).opts.help);
}

TEST_CASE("cli: invalid command lines", "[cli]") {
  CHECK_FALSE(parse_cli({"-x"}).error.empty());
  CHECK_FALSE(parse_cli({"--bogus"}).error.empty());
  CHECK_FALSE(parse_cli({"-c"}).error.empty());
  CHECK_FALSE(parse_cli({"--mktun", "--rmtun"}).error.empty());
  CHECK_FALSE(parse_cli({"--mktun", "-u", "nobody"}).error.empty());
  CHECK_FALSE(parse_cli({"--rmtun", "-r"}).error.empty());
  CHECK_FALSE(parse_cli({"-r"}).error.empty());  // chroot needs -u
  CHECK_FALSE(parse_cli({"--nodetach=1"}).error.empty());
  CHECK(usage("nat64").find("--mktun") != std::string::npos);
}
