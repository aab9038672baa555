#include <catch2/catch.hpp>

#include <arpa/inet.h>

#include <map>
#include <random>
#include <set>

#include "core/dns/builder.h"
#include "core/dns/types.h"
#include "plugins/loadbalance/order.h"
#include "tests/unit/dns_test_support.h"

using namespace coredns;
using namespace coredns::testing;
using namespace coredns::plugins::loadbalance;

namespace {

// A message whose answer section holds `items`: "A 10.0.0.1", "AAAA 2001:db8::1",
// "CNAME", "MX", "NS" (the data of the last three is made up).
struct Msg {
  std::vector<uint8_t> wire;
  dns::MessageView v;
  Records rrs;
  std::map<size_t, std::string> label;  // offset -> item text

  explicit Msg(const std::vector<std::string>& items) {
    dns::Header h;
    h.set(dns::Header::QR);
    dns::MessageBuilder b(wire, h);
    b.add_question(name("example.org."), dns::type::A, dns::cls::IN);
    for (const std::string& item : items) {
      const std::string type = item.substr(0, item.find(' '));
      const std::string data = item.find(' ') == std::string::npos ? "" : item.substr(item.find(' ') + 1);
      if (type == "A") {
        uint8_t a[4];
        inet_pton(AF_INET, data.c_str(), a);
        b.add_record(dns::Section::answer, name("example.org."), dns::type::A, dns::cls::IN, 60, a);
      } else if (type == "AAAA") {
        uint8_t a[16];
        inet_pton(AF_INET6, data.c_str(), a);
        b.add_record(dns::Section::answer, name("example.org."), dns::type::AAAA, dns::cls::IN, 60, a);
      } else if (type == "MX") {
        std::vector<uint8_t> rd = {0, 10, 0};
        b.add_record(dns::Section::answer, name("example.org."), dns::type::MX, dns::cls::IN, 60, rd);
      } else {
        const uint16_t t = type == "CNAME" ? dns::type::CNAME : dns::type::NS;
        b.add_name_record(dns::Section::answer, name("example.org."), t, dns::cls::IN, 60,
                          name(("t" + std::to_string(label.size()) + ".example.org.").c_str()));
      }
      label[static_cast<size_t>(-1) - label.size()] = item;  // numbers the made-up targets
    }
    b.finish();
    v = parse(wire);
    label.clear();
    size_t i = 0;
    for (const auto& rr : v.records(dns::Section::answer)) {
      rrs.push_back(rr);
      label[rr.offset] = items[i++];
    }
  }
  std::vector<std::string> texts(const Records& r) const {
    std::vector<std::string> out;
    for (const auto& rr : r) out.push_back(label.at(rr.offset));
    return out;
  }
  std::vector<std::string> types(const Records& r) const {
    std::vector<std::string> out;
    for (const auto& s : texts(r)) out.push_back(s.substr(0, s.find(' ')));
    return out;
  }
};

uint32_t first(uint32_t) { return 0; }

}  // namespace

TEST_CASE("round_robin groups a mixed section: CNAMEs, the rest, addresses, MX") {
  Msg m({"CNAME", "CNAME", "CNAME", "CNAME", "A 10.0.0.1", "MX", "MX", "MX"});
  Records r = m.rrs;
  Random rnd = [](uint32_t n) { return n - 1; };
  round_robin(r, rnd);
  CHECK(m.types(r) == std::vector<std::string>{"CNAME", "CNAME", "CNAME", "CNAME", "A", "MX",
                                               "MX", "MX"});
  Msg m2({"A 10.0.0.1", "MX", "CNAME"});
  r = m2.rrs;
  round_robin(r, rnd);
  CHECK(m2.types(r) == std::vector<std::string>{"CNAME", "A", "MX"});
  Msg m3({"A 10.0.0.1", "AAAA ::1", "MX", "CNAME", "MX", "A 10.0.0.2", "AAAA ::2", "MX", "NS"});
  r = m3.rrs;
  round_robin(r, rnd);
  CHECK(m3.types(r) == std::vector<std::string>{"CNAME", "NS", "A", "AAAA", "A", "AAAA", "MX",
                                                "MX", "MX"});
}

TEST_CASE("round_robin shuffles an all-address section into every order") {
  Msg m({"A 10.0.0.1", "A 10.0.0.2", "A 10.0.0.3"});
  std::set<std::vector<std::string>> orders;
  std::minstd_rand rng(1);
  Random rnd = [&](uint32_t n) { return static_cast<uint32_t>(rng() % n); };
  for (int i = 0; i < 300; ++i) {
    Records r = m.rrs;
    round_robin(r, rnd);
    orders.insert(m.texts(r));
  }
  CHECK(orders.size() == 6);
  Msg one({"A 10.0.0.1"});
  Records r = one.rrs;
  round_robin(r, rnd);
  CHECK(one.texts(r) == std::vector<std::string>{"A 10.0.0.1"});
}

TEST_CASE("prefer puts CNAMEs, then addresses by CIDR order, then MX, then the rest") {
  Msg m({"A 10.9.30.1", "A 10.9.20.5", "A 192.168.1.2", "A 10.10.0.1", "A 10.9.20.3",
         "A 172.16.0.1", "AAAA 2001:db8::1", "AAAA 2001:db8:abcd::1", "AAAA fd00::1", "NS",
         "MX", "CNAME"});
  CidrList cidrs;
  for (const char* c : {"2001:db8::/32", "10.9.20.0/24", "10.9.30.0/24"}) cidrs.add(*Cidr::parse(c));
  Records r = m.rrs;
  prefer(r, m.v.bytes(), cidrs);
  CHECK(m.texts(r) == std::vector<std::string>{
                          "CNAME", "AAAA 2001:db8::1", "AAAA 2001:db8:abcd::1", "A 10.9.20.5",
                          "A 10.9.20.3", "A 10.9.30.1", "A 192.168.1.2", "A 10.10.0.1",
                          "A 172.16.0.1", "AAAA fd00::1", "MX", "NS"});
}

TEST_CASE("weighted moves one address drawn by weight to the front") {
  Msg m({"A 100.64.1.1", "A 100.64.1.2", "A 100.64.1.3", "CNAME"});
  std::map<std::string, uint32_t> w = {{"A 100.64.1.1", 3}, {"A 100.64.1.2", 1},
                                       {"A 100.64.1.3", 2}};
  auto weight = [&](const dns::RecordView& rr) { return w.at(m.label.at(rr.offset)); };
  // Every draw in [0, 6) and the address it picks: 0-2 -> .1, 3 -> .2, 4-5 -> .3.
  std::map<std::string, int> firsts;
  for (uint32_t draw = 0; draw < 6; ++draw) {
    Records r = m.rrs;
    Random rnd = [&](uint32_t n) {
      CHECK(n == 6);
      return draw;
    };
    weighted(r, weight, rnd);
    REQUIRE(m.types(r) == std::vector<std::string>{"CNAME", "A", "A", "A"});
    ++firsts[m.texts(r)[1]];
    if (draw == 3)  // .2 swapped with .1; .3 keeps its place
      CHECK(m.texts(r) == std::vector<std::string>{"CNAME", "A 100.64.1.2", "A 100.64.1.1",
                                                   "A 100.64.1.3"});
  }
  CHECK(firsts == std::map<std::string, int>{{"A 100.64.1.1", 3}, {"A 100.64.1.2", 1},
                                             {"A 100.64.1.3", 2}});
  Msg none({"MX", "CNAME"});
  Records r = none.rrs;
  weighted(r, weight, first);
  CHECK(none.types(r) == std::vector<std::string>{"MX", "CNAME"});
}
