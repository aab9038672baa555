// Kept synthesized answers: dns64 in front of a scripted upstream that acts as a cache (it
// promises its replies fresh, Response::fresh_for), on a clock the test moves.
#include "plugins/dns64/answer_store.h"

#include <catch2/catch.hpp>

#include "core/metrics/metrics.h"
#include "plugins/dns64/dns64.h"
#include "plugins/dns64/test_util.h"

using namespace coredns;
using namespace dns64test;
using Answer = Script::Answer;
using coredns::plugins::dns64::Config;
using coredns::plugins::dns64::Dns64;
using coredns::Cidr;

namespace {

constexpr uint16_t NOERROR = dns::rcode::NOERROR;
constexpr uint16_t AAAA = dns::type::AAAA;
constexpr int64_t kSecond = 1'000'000'000;

int64_t g_now = 1000 * kSecond;
int64_t fake_now() { return g_now; }

struct Kept {
  explicit Kept(Config c = {}, uint32_t fresh_for = 300)
      : dns64(std::make_shared<Dns64>(std::move(c), &fake_now)), rig(dns64) {
    rig.script().fresh_for = fresh_for;
    const std::vector<Handler*> chain = rig.chain();
    dns64->keep_answers(Dns64::keeping_gates(chain, dns64.get()));
  }
  void on(const std::string& key, Answer a) { rig.script().answers[key] = std::move(a); }
  const std::vector<std::string>& asked() { return rig.script().asked; }
  Response ask(const std::string& qname, const std::string& client = "::1", QueryOptions o = {}) {
    rig.script().asked.clear();
    return rig.ask(make_query(qname, AAAA, o), client);
  }
  Lines answer(const Response& r) { return section(r.wire, dns::Section::answer); }

  std::shared_ptr<Dns64> dns64;
  Rig rig;
};

Answer nodata(uint32_t soa_ttl) {
  return {NOERROR, {ns("example.com. " + std::to_string(soa_ttl) + " SOA ns.example.com.")}};
}
Answer a_record(const std::string& addr, uint32_t ttl) {
  return {NOERROR, {an("example.com. " + std::to_string(ttl) + " A " + addr)}};
}
Config translate_all() {
  Config c;
  c.translate_all = true;
  return c;
}

uint64_t translated() {
  return metrics::Registry::global()
      .counter("coredns_dns64_requests_translated_total", "", {"server"})
      .with({"dns://:53"})
      .value();
}

// A handler that only says how replies through it may be reused.
struct Marker : Handler {
  explicit Marker(Reuse r) : reuse(r) {}
  std::string_view name() const override { return "marker"; }
  Task<Response> serve(Request& req, Next next) override { return next(req); }
  Reuse reply_reuse() const override { return reuse; }
  Reuse reuse;
};

// A gate that admits the query types it is told to, and notes what it was asked.
struct Gate : Marker {
  Gate() : Marker(Reuse::gate) {}
  bool admits(const Request& req, uint16_t qtype) override {
    asked.push_back(req.name() + " " + dns::type_name(qtype));
    return qtype == dns::type::AAAA ? admit_aaaa : admit_a;
  }
  bool admit_aaaa = true;
  bool admit_a = true;
  std::vector<std::string> asked;
};

}  // namespace

TEST_CASE("kept answers: only when a cache's promise reaches dns64 through question-only handlers") {
  auto self = std::make_shared<Dns64>(Config{});
  Marker pass(Handler::Reuse::pass), none(Handler::Reuse::none), source(Handler::Reuse::source);
  using Chain = std::vector<Handler*>;
  CHECK(Dns64::may_keep_answers(Chain{self.get(), &source}, self.get()));
  CHECK(Dns64::may_keep_answers(Chain{self.get(), &pass, &pass, &source}, self.get()));
  CHECK(Dns64::may_keep_answers(Chain{&none, self.get(), &source}, self.get()));
  // acl, loadbalance, forward: the reply may depend on the client or on chance.
  CHECK_FALSE(Dns64::may_keep_answers(Chain{self.get(), &none, &source}, self.get()));
  CHECK_FALSE(Dns64::may_keep_answers(Chain{self.get(), &pass, &none, &source}, self.get()));
  CHECK_FALSE(Dns64::may_keep_answers(Chain{self.get(), &pass}, self.get()));
  CHECK_FALSE(Dns64::may_keep_answers(Chain{self.get()}, self.get()));
  CHECK_FALSE(Dns64::may_keep_answers(Chain{&source}, self.get()));
  // acl: a gate on the way is passed, and must admit each query a kept answer stands for.
  Gate gate;
  CHECK(Dns64::keeping_gates(Chain{self.get(), &pass, &gate, &source}, self.get()) ==
        Dns64::Gates{&gate});
  CHECK_FALSE(Dns64::keeping_gates(Chain{self.get(), &gate, &none, &source}, self.get()));
}

TEST_CASE("kept answers: a gate below dns64 (acl) must admit the AAAA query and the A lookup") {
  Kept k;
  Gate gate;
  k.dns64->keep_answers(Dns64::Gates{&gate});
  k.on("example.com. AAAA", nodata(900));
  k.on("example.com. A", a_record("1.2.3.4", 120));
  k.ask("example.com.");
  CHECK(gate.asked.empty());  // nothing kept yet: the chain served, the gate in it

  const Lines lookups{"example.com. AAAA", "example.com. A"};
  SECTION("admitted: the kept answer, the gate asked for both types") {
    const Response r = k.ask("example.com.");
    CHECK(k.asked().empty());
    CHECK(k.answer(r) == Lines{"example.com. 120 AAAA 64:ff9b::102:304"});
    CHECK(gate.asked == std::vector<std::string>{"example.com. AAAA", "example.com. A"});
  }
  SECTION("the AAAA query refused: the chain serves it, so the gate can answer") {
    gate.admit_aaaa = false;
    k.ask("example.com.");
    CHECK(k.asked() == lookups);
  }
  SECTION("the A lookup refused: the chain serves it") {
    gate.admit_a = false;
    k.ask("example.com.");
    CHECK(k.asked() == lookups);
  }
}

TEST_CASE("kept answers: a repeated query is answered without a lookup, its TTL aging") {
  Kept k;
  k.on("example.com. AAAA", nodata(900));
  k.on("example.com. A", a_record("1.2.3.4", 120));
  const Response first = k.ask("example.com.");
  CHECK(k.asked() == Lines{"example.com. AAAA", "example.com. A"});
  CHECK(k.answer(first) == Lines{"example.com. 120 AAAA 64:ff9b::102:304"});

  const uint64_t before = translated();
  g_now += 7 * kSecond;
  const Response again = k.ask("example.com.");
  CHECK(k.asked().empty());
  CHECK(k.answer(again) == Lines{"example.com. 113 AAAA 64:ff9b::102:304"});
  CHECK(translated() == before + 1);  // still counted as a translation

  SECTION("at the end of its TTL the answer is built anew, from the A record as it is then") {
    k.on("example.com. A", a_record("5.6.7.8", 120));
    g_now += 113 * kSecond;
    const Response fresh = k.ask("example.com.");
    CHECK(k.asked() == Lines{"example.com. AAAA", "example.com. A"});
    CHECK(k.answer(fresh) == Lines{"example.com. 120 AAAA 64:ff9b::506:708"});
  }
  SECTION("one second before, it is still the kept one, TTL 1") {
    g_now += 112 * kSecond;
    CHECK(k.answer(k.ask("example.com.")) == Lines{"example.com. 1 AAAA 64:ff9b::102:304"});
    CHECK(k.asked().empty());
  }
}

TEST_CASE("kept answers: never beyond the cache's promise, nor the negative answer's SOA") {
  SECTION("the promise is shorter than the TTLs") {
    Kept k(Config{}, 10);
    k.on("example.com. AAAA", nodata(900));
    k.on("example.com. A", a_record("1.2.3.4", 120));
    k.ask("example.com.");
    g_now += 10 * kSecond;
    k.ask("example.com.");
    CHECK(k.asked() == Lines{"example.com. AAAA", "example.com. A"});
  }
  SECTION("RFC 6147 §5.1.7: the SOA's TTL bounds the synthesized TTL, and so the answer's life") {
    Kept k;
    k.on("example.com. AAAA", nodata(30));
    k.on("example.com. A", a_record("1.2.3.4", 120));
    CHECK(k.answer(k.ask("example.com.")) == Lines{"example.com. 30 AAAA 64:ff9b::102:304"});
    g_now += 29 * kSecond;
    CHECK(k.answer(k.ask("example.com.")) == Lines{"example.com. 1 AAAA 64:ff9b::102:304"});
    g_now += 1 * kSecond;
    k.ask("example.com.");
    CHECK(k.asked() == Lines{"example.com. AAAA", "example.com. A"});
  }
  SECTION("no promise (no cache below, or a stale hit): every query is looked up") {
    Kept k(Config{}, 0);
    k.on("example.com. AAAA", nodata(900));
    k.on("example.com. A", a_record("1.2.3.4", 120));
    k.ask("example.com.");
    k.ask("example.com.");
    CHECK(k.asked() == Lines{"example.com. AAAA", "example.com. A"});
  }
}

TEST_CASE("kept answers with translate_all: the A side alone") {
  Kept k(translate_all());
  k.on("example.com. A", a_record("1.2.3.4", 60));
  k.ask("example.com.");
  CHECK(k.asked() == Lines{"example.com. A"});
  g_now += 2 * kSecond;
  CHECK(k.answer(k.ask("example.com.")) == Lines{"example.com. 58 AAAA 64:ff9b::102:304"});
  CHECK(k.asked().empty());
}

TEST_CASE("kept answers: the header, question and OPT are the new client's") {
  Kept k;
  k.on("example.com. AAAA", nodata(900));
  k.on("example.com. A", {NOERROR, {an("example.com. 60 A 1.2.3.4")}, dns::Header::AD});
  k.ask("example.com.", "::1", {.id = 1, .flags = dns::Header::RD, .edns = true, .udp_size = 1400});
  const Response r = k.ask("ExAmple.COM.", "::1",
                           {.id = 777, .flags = dns::Header::AD, .edns = true, .udp_size = 1400});
  CHECK(k.asked().empty());
  dns::MessageView v;
  REQUIRE(v.parse(r.wire) == dns::MessageView::Error::none);
  CHECK(v.header().id == 777);
  CHECK(v.header().has(dns::Header::RA));
  CHECK_FALSE(v.header().has(dns::Header::RD));
  CHECK_FALSE(v.header().has(dns::Header::AD));  // synthesized (RFC 6147 §5.5)
  CHECK_FALSE(v.header().has(dns::Header::AA));
  CHECK(v.question_name().to_text() == "ExAmple.COM.");
  REQUIRE(v.opt());
  CHECK(v.opt()->udp_size == 1400);
  CHECK(v.section_count(dns::Section::additional) == 1);
}

TEST_CASE("kept answers are per DO and CD bit and per size limit") {
  Kept k;
  k.on("example.com. AAAA", nodata(900));
  k.on("example.com. A", {NOERROR, {an("example.com. 60 A 1.2.3.4"), an("example.com. 60 RRSIG A")}});
  k.ask("example.com.");
  k.ask("example.com.", "::1", {.do_bit = true});
  CHECK(k.asked() == Lines{"example.com. AAAA", "example.com. A"});
  k.ask("example.com.", "::1", {.flags = dns::Header::RD | dns::Header::CD});
  CHECK(k.asked() == Lines{"example.com. AAAA", "example.com. A"});
  k.ask("example.com.", "::1", {.edns = true, .udp_size = 4096});
  CHECK(k.asked() == Lines{"example.com. AAAA", "example.com. A"});
  // Each of them is kept now.
  k.ask("example.com.", "::1", {.do_bit = true});
  CHECK(k.asked().empty());
  k.ask("example.com.");
  CHECK(k.asked().empty());
}

TEST_CASE("kept answers never reach clients dns64 does not serve") {
  Kept k;
  k.on("example.com. AAAA", nodata(900));
  k.on("example.com. A", a_record("1.2.3.4", 60));
  k.ask("example.com.");  // kept, for IPv6 clients
  const Response v4 = k.ask("example.com.", "127.0.0.1");
  CHECK(k.asked() == Lines{"example.com. AAAA"});
  CHECK(k.answer(v4).empty());
  CHECK(section(v4.wire, dns::Section::authority) ==
        Lines{"example.com. 900 SOA ns.example.com."});
}

TEST_CASE("kept answers belong to one configuration: another prefix starts empty") {
  Kept old_config;
  old_config.on("example.com. AAAA", nodata(900));
  old_config.on("example.com. A", a_record("1.2.3.4", 60));
  old_config.ask("example.com.");
  Config c;
  std::string error;
  auto prefix = plugins::dns64::Prefix64::parse("2001:db8:64::/96", error);
  REQUIRE(prefix);
  c.prefix = *prefix;
  Kept reloaded(std::move(c));
  reloaded.on("example.com. AAAA", nodata(900));
  reloaded.on("example.com. A", a_record("1.2.3.4", 60));
  CHECK(reloaded.answer(reloaded.ask("example.com.")) ==
        Lines{"example.com. 60 AAAA 2001:db8:64::102:304"});
  CHECK(reloaded.asked() == Lines{"example.com. AAAA", "example.com. A"});
}

TEST_CASE("not kept: failures, truncation, and answers with nothing synthesized") {
  Kept k;
  SECTION("a truncated A reply") {
    k.on("example.com. AAAA", nodata(900));
    k.on("example.com. A", {NOERROR, {an("example.com. 60 A 1.2.3.4")}, dns::Header::TC});
    k.ask("example.com.");
    k.ask("example.com.");
    CHECK(k.asked() == Lines{"example.com. AAAA", "example.com. A"});
  }
  SECTION("an AAAA side that failed: its SERVFAIL promises nothing") {
    k.on("example.com. AAAA", {dns::rcode::SERVFAIL, {}, 0, true});
    k.on("example.com. A", a_record("1.2.3.4", 60));
    k.ask("example.com.");
    k.ask("example.com.");
    CHECK(k.asked() == Lines{"example.com. AAAA", "example.com. A"});
  }
  SECTION("native AAAA records pass and are left to the cache") {
    k.on("example.com. AAAA", {NOERROR, {an("example.com. 60 AAAA 2001:db8::1")}});
    k.ask("example.com.");
    k.ask("example.com.");
    CHECK(k.asked() == Lines{"example.com. AAAA"});
  }
}

// The server keeps replies on dns64's promise (Response::fresh_for, docs/architecture.md "Kept
// replies"): dns64 makes it only where its answer holds for every client of a family.
TEST_CASE("dns64 promises its replies to the server only where they hold for every client") {
  SECTION("with a cache below: a source; with a gate below, a clients rule or no cache: none") {
    CHECK(Kept().dns64->reply_reuse() == Handler::Reuse::source);
    Kept gated;
    Gate gate;
    gated.dns64->keep_answers(Dns64::Gates{&gate});
    CHECK(gated.dns64->reply_reuse() == Handler::Reuse::none);
    Config picky;
    picky.clients.add(*Cidr::parse("2001:db8::/32"));
    CHECK(Kept(picky).dns64->reply_reuse() == Handler::Reuse::none);
    CHECK(Kept(Config{}, 0).dns64->reply_reuse() == Handler::Reuse::none);  // nothing below promises
  }
  SECTION("a synthesized answer, built or kept, promises its life and counts a translation") {
    Kept k;
    k.on("example.com. AAAA", nodata(900));
    k.on("example.com. A", a_record("1.2.3.4", 120));
    const Response built = k.ask("example.com.");
    CHECK(built.fresh_for == 300);  // the cache's; the server bounds it by the TTLs
    g_now += 20 * kSecond;
    const Response kept = k.ask("example.com.");
    REQUIRE(k.asked().empty());
    CHECK(kept.fresh_for == 100);
    for (const Response* r : {&built, &kept}) {
      REQUIRE(r->on_reuse[0]);
      CHECK_FALSE(r->on_reuse[1]);
      const uint64_t before = translated();
      r->on_reuse[0]->inc();
      CHECK(translated() == before + 1);
    }
  }
  SECTION("a reply passed on from below keeps the promise made below") {
    Kept k;
    k.on("example.com. A", a_record("1.2.3.4", 120));
    CHECK(k.rig.ask(make_query("example.com.", dns::type::A), "::1").fresh_for == 300);
  }
  SECTION("translate_all: an AAAA answer chosen because the A side was empty promises nothing") {
    Kept k(translate_all());
    k.on("example.com. A", nodata(900));
    k.on("example.com. AAAA", {NOERROR, {an("example.com. 60 AAAA 2001:db8::1")}});
    const Response r = k.ask("example.com.");
    CHECK(k.answer(r) == Lines{"example.com. 60 AAAA 2001:db8::1"});
    CHECK(r.fresh_for == 0);
  }
  SECTION("neither side has an address: no promise") {
    Kept k;
    k.on("example.com. AAAA", nodata(900));
    k.on("example.com. A", nodata(900));
    CHECK(k.ask("example.com.").fresh_for == 0);
  }
}
