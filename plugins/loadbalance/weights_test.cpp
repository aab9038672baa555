#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <unistd.h>

#include <fstream>

#include "core/util/error.h"
#include "plugins/loadbalance/weights.h"
#include "tests/unit/dns_test_support.h"

using namespace coredns;
using namespace coredns::plugins::loadbalance;
using coredns::testing::name;

namespace {

std::string parse_error(const std::string& text) {
  try {
    parse_weights(text, "w.txt");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

uint32_t weight_of(const WeightTable& t, const char* owner, const char* ip) {
  uint8_t a[16];
  const int family = std::string(ip).find(':') != std::string::npos ? AF_INET6 : AF_INET;
  inet_pton(family, ip, a);
  return t.weight(name(owner), family, a);
}

}  // namespace

TEST_CASE("weight file: domains, addresses, comments and defaults") {
  WeightTable t = parse_weights(
      "# comment\n\n  www.example.org\n100.64.1.1 3\n 100.64.1.2   1 \n2001:db8::1 200\n"
      "other.example.org.\n100.64.1.1 7\nwww.example.org\n100.64.1.1 9\n100.64.1.9 9\n",
      "w.txt");
  CHECK(weight_of(t, "www.example.org.", "100.64.1.1") == 3);  // the first entry wins
  CHECK(weight_of(t, "WWW.Example.org.", "100.64.1.2") == 1);
  CHECK(weight_of(t, "www.example.org.", "2001:db8::1") == 200);
  CHECK(weight_of(t, "www.example.org.", "100.64.1.9") == 9);  // a repeated domain continues
  CHECK(weight_of(t, "other.example.org.", "100.64.1.1") == 7);
  CHECK(weight_of(t, "www.example.org.", "100.64.1.5") == 1);
  CHECK(weight_of(t, "nowhere.example.org.", "100.64.1.1") == 1);
}

TEST_CASE("weight file errors, in CoreDNS's words") {
  CHECK(parse_error("100.64.1.1 3\n") == "missing domain name in weight file w.txt");
  CHECK(parse_error("www.example.org\n100.64.1.1\n") ==
        "wrong domain name:\"100.64.1.1\" in weight file w.txt. (Maybe a missing weight value?)");
  CHECK(parse_error("www.example.org\n100.64.1 3\n") ==
        "wrong IP address:\"100.64.1\" in weight file w.txt");
  for (const char* w : {"0", "256", "x", "-1", "1.5"})
    CHECK(parse_error(std::string("www.example.org\n100.64.1.1 ") + w + "\n") ==
          std::string("wrong weight value:\"") + w + "\" in weight file w.txt");
  CHECK(parse_error("www.example.org\n100.64.1.1 3 # no trailing comments\n") ==
        "could not parse weight line:\"100.64.1.1 3 # no trailing comments\" in weight file w.txt");
}

TEST_CASE("weight file: startup and changes") {
  char dir[] = "/tmp/lb-weights-XXXXXX";
  REQUIRE(mkdtemp(dir));
  const std::string path = std::string(dir) + "/w.txt";
  WeightFile never(path, std::chrono::seconds(0));
  try {
    never.load_initial();
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) == "weight file open error");
  }
  WeightFile later(path, std::chrono::seconds(30));
  later.load_initial();  // only a warning: the file may appear later
  CHECK(later.table()->domains.empty());

  std::ofstream(path) << "www.example.org\n100.64.1.1 3\n";
  CHECK(later.check());
  CHECK(weight_of(*later.table(), "www.example.org.", "100.64.1.1") == 3);
  // A broken version keeps the last good table.
  std::ofstream(path) << "www.example.org\n100.64.1.1 300\n";
  CHECK(later.check());
  CHECK(weight_of(*later.table(), "www.example.org.", "100.64.1.1") == 3);
  std::ofstream(path) << "www.example.org\n100.64.1.1 5\n";
  later.check();
  CHECK(weight_of(*later.table(), "www.example.org.", "100.64.1.1") == 5);

  std::ofstream(path) << "bad line with four\n";
  WeightFile broken(path, std::chrono::seconds(30));
  CHECK_THROWS_AS(broken.load_initial(), ConfigError);
  unlink(path.c_str());
  rmdir(dir);
}
