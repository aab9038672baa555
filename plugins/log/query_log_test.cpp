// The log handler end to end within one process: what it writes for a query, with the class
// filter, the unwritten-rcode synthesis and the scrub (CoreDNS's plugin/log/README.md).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/util/log.h"
#include "tests/support/handler_test.h"
#include "plugins/log/query_log.h"
#include "tests/support/plugin_setup.h"

namespace coredns::plugins {
const PluginDef& plugin_log();
}

using namespace coredns;
using namespace coredns::plugins::querylog;

namespace {

std::shared_ptr<Handler> log_handler(const std::string& body) {
  auto run = testing::run_setup(plugins::plugin_log(), "log", body);
  REQUIRE(run.error.empty());
  return run.handlers.front();
}

// The log lines written while serving one query through `log_body` with `next` below it.
template <typename Make>
std::vector<std::string> serve(const std::string& log_body, std::vector<uint8_t> query, Make make,
                               Transport t = Transport::udp, Response* out = nullptr) {
  auto h = log_handler(log_body);
  testing::Stub<Make> next(make);
  Request req(query, t, testing::endpoint("127.0.0.1", 51421),
              testing::endpoint("127.0.0.1", 1053), nullptr);
  testing::StdoutCapture capture;
  Response r = testing::run(*h, req, {&next});
  if (out) *out = std::move(r);
  return capture.lines();
}

const auto whoami = [](const Request& req) {
  return Response::reply(testing::whoami_reply(req), dns::rcode::NOERROR);
};

// `line` is `head` followed by a duration in seconds ("0.000012345s").
bool line_is(const std::string& line, const std::string& head) {
  if (line.size() < head.size() + 2 || line.compare(0, head.size(), head) != 0) return false;
  const std::string tail = line.substr(head.size(), line.size() - head.size() - 1);
  return line.back() == 's' && tail.find_first_not_of("0123456789.") == std::string::npos;
}

}  // namespace

TEST_CASE("G1: one line per query, the reply scrubbed for the client") {
  Response r;
  auto lines = serve("log", testing::dig_query(), whoami, Transport::udp, &r);
  REQUIRE(lines.size() == 1);
  CHECK(line_is(lines[0],
                R"([INFO] 127.0.0.1:51421 - 24311 "A IN example.org. udp 52 false 1232" NOERROR qr,aa,rd 91 )"));
  CHECK(r.scrubbed);
  dns::MessageView v;
  REQUIRE(v.parse(r.wire) == dns::MessageView::Error::none);
  REQUIRE(v.opt());
  CHECK(v.opt()->udp_size == 1232);
}

TEST_CASE("G2: over TCP") {
  auto lines = serve("log", testing::dig_query(), whoami, Transport::tcp);
  REQUIRE(lines.size() == 1);
  CHECK(line_is(lines[0],
                R"([INFO] 127.0.0.1:51421 - 24311 "A IN example.org. tcp 52 false 65535" NOERROR qr,aa,rd 91 )"));
}

TEST_CASE("R11: an unwritten SERVFAIL is logged as the reply the server will write") {
  auto h = log_handler("log");
  auto q = testing::plain_query();
  Request req(q, Transport::udp, testing::endpoint("127.0.0.1", 5000),
              testing::endpoint("127.0.0.1", 1053), nullptr);
  testing::StdoutCapture capture;
  Response r = testing::run(*h, req);  // no next plugin
  auto lines = capture.lines();
  REQUIRE(lines.size() == 1);
  CHECK(line_is(lines[0],
                R"([INFO] 127.0.0.1:5000 - 4242 "A IN example.org. udp 29 false 512" SERVFAIL qr,rd 29 )"));
  // Passed on unchanged: the server writes the reply, errors sees the error.
  CHECK_FALSE(r.written());
  CHECK(r.rcode == dns::rcode::SERVFAIL);
  CHECK(r.error == "plugin/log: no next plugin found");
}

TEST_CASE("{>rflags} is measured after truncation, {rsize} before it") {
  auto q = testing::plain_query();
  auto lines = serve("log . \"{rcode} {>rflags} {rsize}\"", q, [&](const Request&) {
    return Response::reply(testing::reply_with_a_records(q, 100), dns::rcode::NOERROR);
  });
  REQUIRE(lines.size() == 1);
  // 12 header + 17 question + 100 * 27: every owner name written out in full.
  CHECK(lines[0] == "[INFO] NOERROR qr,tc,rd 2729");
}

TEST_CASE("a reply already scrubbed below is not scrubbed again") {
  auto q = testing::dig_query();
  Response r;
  auto lines = serve("log . {>rflags}", q,
                     [&](const Request& req) {
                       auto resp = Response::reply(testing::whoami_reply(req), 0);
                       resp.scrubbed = true;
                       return resp;
                     },
                     Transport::udp, &r);
  dns::MessageView v;
  REQUIRE(v.parse(r.wire) == dns::MessageView::Error::none);
  CHECK_FALSE(v.opt());
}

TEST_CASE("G7: class denial logs NXDOMAIN and NODATA only") {
  const std::string body = "log . {rcode} {\n class denial\n}";
  auto q = testing::plain_query();
  auto nx = [](const Request& req) {
    return Response::reply(testing::reply_with(req, dns::rcode::NXDOMAIN, false, dns::type::SOA),
                           dns::rcode::NXDOMAIN);
  };
  auto nodata = [](const Request& req) {
    return Response::reply(testing::reply_with(req, 0, false, dns::type::SOA), 0);
  };
  CHECK(serve(body, q, nx) == std::vector<std::string>{"[INFO] NXDOMAIN"});
  CHECK(serve(body, q, nodata) == std::vector<std::string>{"[INFO] NOERROR"});
  CHECK(serve(body, q, whoami).empty());
}

TEST_CASE("class success and error follow CoreDNS's classification") {
  auto q = testing::plain_query();
  auto delegation = [](const Request& req) {
    return Response::reply(testing::reply_with(req, 0, false, dns::type::NS), 0);
  };
  auto impossible = [](const Request& req) {  // NXDOMAIN that answers anyway
    return Response::reply(testing::reply_with(req, dns::rcode::NXDOMAIN, true),
                           dns::rcode::NXDOMAIN);
  };
  auto refused = [](const Request&) { return Response::unwritten(dns::rcode::REFUSED); };
  auto nothing = [](const Request&) { return Response::unwritten(dns::rcode::NOERROR); };
  const std::string success = "log . {rcode} {\n class success\n}";
  const std::string error = "log . {rcode} {\n class error\n}";
  CHECK(serve(success, q, whoami).size() == 1);
  CHECK(serve(success, q, delegation).size() == 1);
  CHECK(serve(success, q, impossible).empty());
  CHECK(serve(error, q, impossible) == std::vector<std::string>{"[INFO] NXDOMAIN"});
  CHECK(serve(error, q, refused) == std::vector<std::string>{"[INFO] REFUSED"});
  CHECK(serve(error, q, nothing) == std::vector<std::string>{"[INFO] -"});
  CHECK(serve(error, q, whoami).empty());
}

TEST_CASE("names no rule covers are passed on without a line") {
  auto lines = serve("log example.net", testing::plain_query(), whoami);
  CHECK(lines.empty());
}

TEST_CASE("with -log-format=json a query line is an object of named fields") {
  log::set_format(log::Format::json);
  auto lines = serve("log . {name}", testing::dig_query(), whoami);
  log::set_format(log::Format::text);
  REQUIRE(lines.size() == 1);
  auto j = nlohmann::json::parse(lines[0]);
  CHECK(j["level"] == "INFO");
  CHECK(j["plugin"] == "log");
  CHECK(j["remote"] == "127.0.0.1");
  CHECK(j["port"] == 51421);
  CHECK(j["id"] == 24311);
  CHECK(j["type"] == "A");
  CHECK(j["class"] == "IN");
  CHECK(j["name"] == "example.org.");
  CHECK(j["proto"] == "udp");
  CHECK(j["size"] == 52);
  CHECK(j["do"] == false);
  CHECK(j["bufsize"] == 1232);
  CHECK(j["rcode"] == "NOERROR");
  CHECK(j["rflags"] == "qr,aa,rd");
  CHECK(j["rsize"] == 91);
  CHECK(j["duration"].is_number_float());
  CHECK(j["duration"].get<double>() >= 0);
}
