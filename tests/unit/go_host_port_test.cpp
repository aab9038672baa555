// Go's net.SplitHostPort: results and error texts (CoreDNS prints them for plugin addresses).
#include <catch2/catch.hpp>

#include "core/util/go_host_port.h"

using coredns::go_split_host_port;

namespace {

std::string split(const std::string& text) {
  std::string error;
  auto hp = go_split_host_port(text, error);
  return hp ? "host=" + hp->host + " port=" + hp->port : error;
}

}  // namespace

TEST_CASE("SplitHostPort accepts host:port, [v6]:port and :port") {
  CHECK(split(":8080") == "host= port=8080");
  CHECK(split("127.0.0.1:8080") == "host=127.0.0.1 port=8080");
  CHECK(split("localhost:9153") == "host=localhost port=9153");
  CHECK(split("[::1]:8080") == "host=::1 port=8080");
  CHECK(split("[fe80::1%eth0]:80") == "host=fe80::1%eth0 port=80");
  CHECK(split(":") == "host= port=");
  CHECK(split("host:http") == "host=host port=http");
}

TEST_CASE("SplitHostPort rejects with Go's texts") {
  CHECK(split("localhost") == "address localhost: missing port in address");
  CHECK(split("") == "missing port in address");
  CHECK(split("::1") == "address ::1: too many colons in address");
  CHECK(split("a:b:c") == "address a:b:c: too many colons in address");
  CHECK(split("[::1]") == "address [::1]: missing port in address");
  CHECK(split("[::1:80") == "address [::1:80: missing ']' in address");
  CHECK(split("[::1]x:80") == "address [::1]x:80: missing port in address");
  CHECK(split("[::1]:80:90") == "address [::1]:80:90: too many colons in address");
  CHECK(split("a[b:80") == "address a[b:80: unexpected '[' in address");
  CHECK(split("a]b:80") == "address a]b:80: unexpected ']' in address");
}
