// Request::with_flags and the configuration hold background work takes.
#include <catch2/catch.hpp>

#include "core/dns/builder.h"
#include "core/plugin/request.h"

using namespace coredns;

namespace {

std::vector<uint8_t> query_with_opt() {
  dns::Header h;
  h.id = 0x4242;
  h.set(dns::Header::RD);
  h.set(dns::Header::CD);
  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, h);
  dns::Name n;
  dns::Name::from_text("WwW.Example.org.", n);
  b.add_question(n, dns::type::AAAA, dns::cls::IN);
  b.add_opt(1232, 0, 0, 0x8000, {});
  b.finish();
  return out;
}

struct CountingKeeper : ConfigKeeper {
  int holds = 0;
  void enter() override { ++holds; }
  void leave() override { --holds; }
};

}  // namespace

TEST_CASE("with_flags copies the query with extra header flags and the same depth") {
  auto bytes = query_with_opt();
  Request req(bytes, Transport::tcp, {}, {}, nullptr);
  auto sub = req.derive(req.qname(), dns::type::A);
  auto copy = sub->with_flags(dns::Header::AD);
  CHECK(copy->depth() == sub->depth());
  CHECK(copy->msg().header().has(dns::Header::AD));
  CHECK(copy->msg().header().has(dns::Header::CD));
  CHECK(copy->msg().header().has(dns::Header::RD));
  CHECK(copy->id() == 0x4242);
  CHECK(copy->qname() == req.qname());
  CHECK(copy->qtype() == dns::type::A);
  CHECK(copy->do_bit());
  CHECK(copy->tcp());
  CHECK_FALSE(req.msg().header().has(dns::Header::AD));
}

TEST_CASE("a configuration hold counts in and out, and copies share the keeper") {
  auto bytes = query_with_opt();
  CountingKeeper keeper;
  Request req(bytes, Transport::udp, {}, {}, nullptr);
  req.set_keeper(&keeper);
  {
    ConfigHold a = req.hold_config();
    CHECK(keeper.holds == 1);
    ConfigHold b = req.with_flags(dns::Header::AD)->hold_config();
    CHECK(keeper.holds == 2);
    ConfigHold c = std::move(b);
    CHECK(keeper.holds == 2);
  }
  CHECK(keeper.holds == 0);
  Request lone(bytes, Transport::udp, {}, {}, nullptr);
  ConfigHold none = lone.hold_config();  // no keeper: nothing to count
}
