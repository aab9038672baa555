#include "plugins/nat64/prefix_check.h"

#include <catch2/catch.hpp>

#include "core/corefile/parser.h"

using namespace coredns;
using namespace coredns::plugins::nat64;

namespace {

std::vector<Dns64Prefix> prefixes(const std::string& corefile) {
  corefile::ParseOptions po;
  return dns64_prefixes(corefile::parse(corefile, po), "Corefile");
}

std::vector<std::string> texts(const std::vector<Dns64Prefix>& v) {
  std::vector<std::string> out;
  for (const auto& p : v) out.push_back(p.where + " " + p.prefix.to_text());
  return out;
}

ChildSpec nat64_with(const char* prefix) {
  ChildSpec s;
  s.where = "Corefile:9";
  if (prefix) s.prefix = parse_dns64_prefix(prefix);
  return s;
}

}  // namespace

TEST_CASE("dns64's prefix, read as dns64 reads it") {
  CHECK(parse_dns64_prefix("64:ff9b::/96")->to_text() == "64:ff9b::/96");
  CHECK(parse_dns64_prefix("64:ff9b::1/96")->to_text() == "64:ff9b::/96");  // host bits masked
  CHECK(parse_dns64_prefix("2001:db8:1:2::/32")->to_text() == "2001:db8::/32");
  CHECK_FALSE(parse_dns64_prefix("64:ff9b::"));
  CHECK_FALSE(parse_dns64_prefix("64:ff9b::/95"));
  CHECK_FALSE(parse_dns64_prefix("192.0.2.0/96"));
  CHECK_FALSE(parse_dns64_prefix("64:ff9b::/"));

  CHECK(texts(prefixes(".:53 {\n whoami\n}\n")).empty());
  CHECK(texts(prefixes(
            ".:53 {\n dns64\n}\n"
            "a.:53 {\n dns64 2001:db8:64::/96\n}\n"
            "b.:53 {\n dns64 {\n  translate_all\n  prefix 64:ff9b:1::/48\n }\n}\n"
            "c.:53 {\n dns64 64:ff9b:2::/96 {\n  prefix 64:ff9b:3::/96\n }\n}\n"
            "d.:53 {\n dns64 64:ff9b:4::/96\n dns64 64:ff9b:5::/96\n}\n")) ==
        std::vector<std::string>{
            "Corefile:2 64:ff9b::/96",      // the default: at the dns64 line
            "Corefile:5 2001:db8:64::/96",  // on the line
            "Corefile:10 64:ff9b:1::/48",   // in the block: at its prefix line
            "Corefile:15 64:ff9b:3::/96",   // the block's wins, as dns64 reads it
            "Corefile:19 64:ff9b:4::/96",   // each occurrence
            "Corefile:20 64:ff9b:5::/96",
        });
}

TEST_CASE("the dns64/nat64 prefix warning") {
  const auto wkp = prefixes(".:53 {\n dns64\n}\n");
  CHECK(prefix_warnings(wkp, nat64_with("64:ff9b::/96")).empty());
  CHECK(prefix_warnings({}, nat64_with("2001:db8:64::/96")).empty());  // no dns64: nothing to compare
  CHECK(prefix_warnings(wkp, nat64_with("2001:db8:64::/96")) ==
        std::vector<std::string>{
            "dns64 at Corefile:2 synthesizes into 64:ff9b::/96 but nat64 at Corefile:9 translates "
            "2001:db8:64::/96: clients would get IPv6 addresses this nat64 does not translate"});
  CHECK(prefix_warnings(wkp, nat64_with(nullptr)) ==
        std::vector<std::string>{
            "dns64 at Corefile:2 synthesizes into 64:ff9b::/96 but nat64 at Corefile:9 has no prefix: clients "
            "would get IPv6 addresses this nat64 does not translate"});
  // The length counts too.
  CHECK(prefix_warnings(prefixes(".:53 {\n dns64 64:ff9b::/64\n}\n"), nat64_with("64:ff9b::/96")).size() == 1);
  // One warning per dns64 that differs.
  const auto two = prefixes(".:53 {\n dns64\n}\n.:54 {\n dns64 2001:db8:64::/96\n}\n");
  CHECK(prefix_warnings(two, nat64_with("2001:db8:64::/96")).size() == 1);
  CHECK(prefix_warnings(two, nat64_with("64:ff9b:9::/96")).size() == 2);
}
