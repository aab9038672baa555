// prometheus: the directive's forms and errors, the per-request series with CoreDNS's names and
// labels, and their rendering.
#include <arpa/inet.h>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "core/corefile/lexer.h"
#include "core/dns/builder.h"
#include "core/metrics/metrics.h"
#include "core/plugin/listen_address.h"
#include "core/util/build_info.h"
#include "plugins/metrics/handler.h"
#include "plugins/metrics/metrics.h"
#include "tests/support/handler_test.h"
#include "tests/support/plugin_setup.h"

namespace coredns::plugins {
const PluginDef& plugin_metrics();
}

using namespace coredns;
using plugins::metrics::PrometheusHandler;

namespace {

std::string error_of(const std::string& body) {
  return testing::run_setup(plugins::plugin_metrics(), "prometheus", body).error;
}

std::string address(const std::string& body) {
  corefile::Dispenser d(corefile::lex(body), "Corefile");
  return plugins::metrics::parse(d).address;
}

std::vector<uint8_t> query(const char* name, uint16_t qtype) {
  dns::Header h;
  h.id = 7;
  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, h);
  dns::Name n;
  dns::Name::from_text(name, n);
  b.add_question(n, qtype, dns::cls::IN);
  b.finish();
  return out;
}

Endpoint endpoint(const char* ip) {
  sockaddr_storage ss{};
  if (std::string(ip).find(':') != std::string::npos) {
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
    s6->sin6_family = AF_INET6;
    inet_pton(AF_INET6, ip, &s6->sin6_addr);
  } else {
    auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
    s4->sin_family = AF_INET;
    inet_pton(AF_INET, ip, &s4->sin_addr);
  }
  return Endpoint::from(reinterpret_cast<sockaddr*>(&ss));
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

// Every test uses its own server port, as the registry is process-wide.
struct Fixture {
  testing::ChainServer server;
  explicit Fixture(const char* port) : server(ListenAddress{"dns", "", port}.key()) {}

  void record(PrometheusHandler& h, const char* name, uint16_t qtype, Transport t, const char* ip,
              const Response& resp, double seconds = 0.001) {
    auto q = query(name, qtype);
    Request req(q, t, endpoint(ip), endpoint(ip), &server);
    h.record(req, resp, seconds);
  }
};

Response written(size_t size, uint16_t rcode, std::string_view plugin) {
  return Response::reply(std::vector<uint8_t>(size, 0), rcode, plugin);
}

}  // namespace

TEST_CASE("prometheus defaults to localhost:9153 and takes one address") {
  CHECK(address("prometheus") == "localhost:9153");
  CHECK(address("prometheus :9253") == ":9253");
  CHECK(address("prometheus 0.0.0.0:9153") == "0.0.0.0:9153");
}

TEST_CASE("prometheus rejects bad addresses, extra arguments and a second line") {
  CHECK(error_of("prometheus localhost") ==
        "plugin/prometheus: address localhost: missing port in address");
  CHECK(error_of("prometheus :1 :2") ==
        "plugin/prometheus: Corefile:1 - Error during parsing: Wrong argument count or "
        "unexpected line ending after ':2'");
  CHECK(error_of("prometheus\nprometheus :9154") ==
        "plugin/prometheus: this plugin can only be used once per Server Block");
}

TEST_CASE("Setup adds the prometheus handler and exports build info and panics") {
  auto run = testing::run_setup(plugins::plugin_metrics(), "prometheus", "prometheus");
  REQUIRE(run.error.empty());
  REQUIRE(run.handler<PrometheusHandler>() != nullptr);
  CHECK(run.handlers.front()->name() == "prometheus");
  const auto text = metrics::Registry::global().render();
  const BuildInfo& b = build_info();
  CHECK(has_line(text, fmt::format("coredns_build_info{{version=\"{}\",revision=\"{}\",goversion=\"{}\"}} 1",
                                   b.version, b.revision, b.toolchain)));
  CHECK(has_line(text, "coredns_panics_total 0"));
  CHECK(text.find("# TYPE coredns_dns_requests_total counter") != std::string::npos);
}

TEST_CASE("Query types outside CoreDNS's monitored set count as other") {
  using plugins::metrics::type_label;
  using plugins::metrics::type_slot;
  CHECK(type_label(type_slot(dns::type::A)) == "A");
  CHECK(type_label(type_slot(dns::type::AAAA)) == "AAAA");
  CHECK(type_label(type_slot(dns::type::HTTPS)) == "HTTPS");
  CHECK(type_label(type_slot(dns::type::ANY)) == "ANY");
  CHECK(type_label(type_slot(dns::type::NAPTR)) == "other");
  CHECK(type_label(type_slot(65280)) == "other");
  CHECK(type_slot(65280) == plugins::metrics::kTypeSlots - 1);
}

TEST_CASE("A request is counted with CoreDNS's labels in every family") {
  Fixture f("21001");
  PrometheusHandler h({"example.org.", "org."});
  f.record(h, "www.Example.org.", dns::type::A, Transport::udp, "127.0.0.1",
           written(120, dns::rcode::NOERROR, "whoami"), 0.0003);
  f.record(h, "www.example.org.", dns::type::A, Transport::udp, "127.0.0.1",
           written(120, dns::rcode::NOERROR, "whoami"), 0.0003);
  const auto text = metrics::Registry::global().render();
  const std::string s = "server=\"dns://:21001\",zone=\"example.org.\",view=\"\"";
  CHECK(has_line(text, "coredns_dns_requests_total{" + s + ",proto=\"udp\",family=\"1\",type=\"A\"} 2"));
  CHECK(has_line(text, "coredns_dns_responses_total{" + s + ",rcode=\"NOERROR\",plugin=\"whoami\"} 2"));
  CHECK(has_line(text, "coredns_dns_request_duration_seconds_bucket{" + s + ",type=\"A\",le=\"0.00025\"} 0"));
  CHECK(has_line(text, "coredns_dns_request_duration_seconds_bucket{" + s + ",type=\"A\",le=\"0.0005\"} 2"));
  CHECK(has_line(text, "coredns_dns_request_duration_seconds_count{" + s + ",type=\"A\"} 2"));
  CHECK(has_line(text, "coredns_dns_request_size_bytes_bucket{" + s + ",proto=\"udp\",le=\"0\"} 0"));
  CHECK(has_line(text, "coredns_dns_request_size_bytes_bucket{" + s + ",proto=\"udp\",le=\"100\"} 2"));
  CHECK(has_line(text, "coredns_dns_response_size_bytes_bucket{" + s + ",proto=\"udp\",le=\"100\"} 0"));
  CHECK(has_line(text, "coredns_dns_response_size_bytes_bucket{" + s + ",proto=\"udp\",le=\"200\"} 2"));
  CHECK(has_line(text, "coredns_dns_response_size_bytes_sum{" + s + ",proto=\"udp\"} 240"));
}

TEST_CASE("Zone is the longest matching zone of the block, else the root") {
  Fixture f("21002");
  PrometheusHandler h({"example.org.", "org.", "org."});
  f.record(h, "a.example.org.", dns::type::AAAA, Transport::tcp, "::1",
           written(60, dns::rcode::NOERROR, "forward"));
  f.record(h, "b.org.", dns::type::AAAA, Transport::tcp, "::1",
           written(60, dns::rcode::NOERROR, "forward"));
  f.record(h, "example.com.", dns::type::NAPTR, Transport::tcp, "::1",
           written(60, dns::rcode::NOERROR, "forward"));
  const auto text = metrics::Registry::global().render();
  for (const char* zone : {"example.org.", "org."})
    CHECK(has_line(text, fmt::format("coredns_dns_requests_total{{server=\"dns://:21002\",zone=\"{}\","
                                     "view=\"\",proto=\"tcp\",family=\"2\",type=\"AAAA\"}} 1",
                                     zone)));
  CHECK(has_line(text, "coredns_dns_requests_total{server=\"dns://:21002\",zone=\".\",view=\"\","
                       "proto=\"tcp\",family=\"2\",type=\"other\"} 1"));
}

TEST_CASE("An unwritten reply counts its rcode, no plugin and 0 response bytes") {
  Fixture f("21003");
  PrometheusHandler h({"."});
  f.record(h, "x.", dns::type::TXT, Transport::udp, "10.0.0.1",
           Response::unwritten(dns::rcode::SERVFAIL, "plugin/forward: no healthy proxies"));
  f.record(h, "x.", dns::type::TXT, Transport::udp, "10.0.0.1",
           written(40, dns::rcode::NXDOMAIN, "forward"));
  const auto text = metrics::Registry::global().render();
  const std::string s = "server=\"dns://:21003\",zone=\".\",view=\"\"";
  CHECK(has_line(text, "coredns_dns_responses_total{" + s + ",rcode=\"SERVFAIL\",plugin=\"\"} 1"));
  CHECK(has_line(text, "coredns_dns_responses_total{" + s + ",rcode=\"NXDOMAIN\",plugin=\"forward\"} 1"));
  CHECK(has_line(text, "coredns_dns_response_size_bytes_bucket{" + s + ",proto=\"udp\",le=\"0\"} 1"));
}

TEST_CASE("The handler times the rest of the chain and passes its reply through") {
  struct Answer : coredns::Handler {
    std::string_view name() const override { return "whoami"; }
    Task<Response> serve(Request&, Next) override {
      co_return Response::reply(std::vector<uint8_t>(30, 1), dns::rcode::NOERROR, name());
    }
  };
  Fixture f("21004");
  auto metrics = std::make_shared<PrometheusHandler>(std::vector<std::string>{"."});
  Answer answer;
  std::vector<coredns::Handler*> chain{metrics.get(), &answer};
  auto q = query("example.net.", dns::type::A);
  Request req(q, Transport::udp, endpoint("127.0.0.1"), endpoint("127.0.0.1"), &f.server);
  std::optional<Response> got;
  async::spawn(serve_chain(chain, req),
               [&](std::optional<Response> r, std::exception_ptr) { got = std::move(r); });
  REQUIRE(got);
  CHECK(got->wire.size() == 30);
  const auto text = metrics::Registry::global().render();
  CHECK(has_line(text, "coredns_dns_request_duration_seconds_count{server=\"dns://:21004\","
                       "zone=\".\",view=\"\",type=\"A\"} 1"));
  CHECK(has_line(text, "coredns_dns_responses_total{server=\"dns://:21004\",zone=\".\",view=\"\","
                       "rcode=\"NOERROR\",plugin=\"whoami\"} 1"));
}

TEST_CASE("/metrics serves the registry as Prometheus text 0.0.4") {
  auto reply = plugins::metrics::serve({"GET", "/metrics"});
  CHECK(reply.status == 200);
  CHECK(reply.content_type == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(reply.body.find("# HELP ") != std::string::npos);
}
