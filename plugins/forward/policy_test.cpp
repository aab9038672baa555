#include <catch2/catch.hpp>
#include <set>
#include <vector>

#include "core/dns/message.h"
#include "core/plugin/request.h"
#include "plugins/forward/forward.h"
#include "plugins/forward/policy.h"
#include "plugins/forward/upstream.h"

using namespace coredns;
using namespace coredns::plugins::forward;

namespace {

std::vector<int> list(const Order& o) {
  std::vector<int> out;
  for (size_t i = 0; i < o.size; ++i) out.push_back(o[i]);
  return out;
}

UpstreamSpec spec(const char* text) {
  UpstreamSpec s;
  s.text = text;
  return s;
}

}  // namespace

TEST_CASE("sequential keeps the configured order") {
  Selector s(Policy::sequential, 3);
  CHECK(list(s.order()) == std::vector<int>{0, 1, 2});
  CHECK(list(s.order()) == std::vector<int>{0, 1, 2});
}

TEST_CASE("round_robin starts with the second upstream, then rotates") {
  Selector s(Policy::round_robin, 3);
  CHECK(list(s.order()) == std::vector<int>{1, 0, 2});
  CHECK(list(s.order()) == std::vector<int>{2, 0, 1});
  CHECK(list(s.order()) == std::vector<int>{0, 1, 2});
  CHECK(list(s.order()) == std::vector<int>{1, 0, 2});
}

TEST_CASE("random gives permutations and, with two upstreams, both orders") {
  Selector two(Policy::random, 2);
  std::set<std::vector<int>> seen2;
  for (int i = 0; i < 200; ++i) seen2.insert(list(two.order()));
  CHECK(seen2.size() == 2);
  Selector three(Policy::random, 3);
  std::set<std::vector<int>> seen3;
  for (int i = 0; i < 600; ++i) {
    auto l = list(three.order());
    CHECK(std::set<int>(l.begin(), l.end()).size() == 3);
    seen3.insert(l);
  }
  CHECK(seen3.size() == 6);
  Selector one(Policy::random, 1);
  CHECK(list(one.order()) == std::vector<int>{0});
}

TEST_CASE("an upstream is Down after more than max_fails failed probes, up after one good") {
  Upstream up(spec("192.0.2.1:53"));
  CHECK_FALSE(up.down(2));
  up.probe_failed(2);
  up.probe_failed(2);
  CHECK_FALSE(up.down(2));
  up.probe_failed(2);
  CHECK(up.down(2));
  CHECK(up.fails() == 3);
  up.probe_succeeded(2);
  CHECK_FALSE(up.down(2));
  CHECK(up.fails() == 0);
}

TEST_CASE("max_fails 0 means never Down") {
  Upstream up(spec("192.0.2.2:53"));
  for (int i = 0; i < 10; ++i) up.probe_failed(0);
  CHECK_FALSE(up.down(0));
}

TEST_CASE("one health-check loop per upstream at a time") {
  Upstream up(spec("192.0.2.3:53"));
  CHECK(up.begin_check());
  CHECK_FALSE(up.begin_check());
  up.end_check();
  CHECK(up.begin_check());
}

TEST_CASE("the health probe is <domain> IN NS with RD unless no_rec") {
  ForwardConfig c;
  auto q = build_probe_query(c);
  dns::MessageView v;
  REQUIRE(v.parse(q) == dns::MessageView::Error::none);
  CHECK(v.question_name().to_text() == ".");
  CHECK(v.question().qtype == dns::type::NS);
  CHECK(v.header().has(dns::Header::RD));
  c.health_check_rd = false;
  dns::Name::from_text("example.org.", c.health_check_domain);
  q = build_probe_query(c);
  REQUIRE(v.parse(q) == dns::MessageView::Error::none);
  CHECK(v.question_name().to_text() == "example.org.");
  CHECK_FALSE(v.header().has(dns::Header::RD));
}

TEST_CASE("matching: FROM, below FROM, except, and FROM itself despite except") {
  ForwardConfig c;
  dns::Name::from_text("example.org.", c.from);
  dns::Name e;
  dns::Name::from_text("internal.example.org.", e);
  c.except.push_back(e);
  dns::Name::from_text("example.org.", e);
  c.except.push_back(e);
  UpstreamSpec u;
  u.text = "192.0.2.9:53";
  c.to.push_back(u);
  Forward f(c, false);
  auto name = [](const char* t) {
    dns::Name n;
    dns::Name::from_text(t, n);
    return n;
  };
  CHECK(f.matches(name("example.org.")));
  CHECK_FALSE(f.matches(name("www.example.org.")));  // below an except name
  CHECK_FALSE(f.matches(name("a.internal.example.org.")));
  CHECK_FALSE(f.matches(name("example.com.")));
  CHECK(f.accepts_any_class());
}
