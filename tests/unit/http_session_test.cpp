// The HTTP/1.1 protocol of one connection: routing, Go net/http's replies, keep-alive and the
// parsing edge cases (pipelining, split reads, bodies, malformed and oversized requests).
#include <catch2/catch.hpp>

#include "core/http/session.h"

using namespace coredns::http;

namespace {

Routes routes() {
  Routes r;
  r["/health"] = [](const Request&) { return Reply{200, "text/plain; charset=utf-8", "OK"}; };
  r["/echo"] = [](const Request& req) { return Reply{200, "text/plain", req.method + " " + req.path}; };
  r["/boom"] = [](const Request&) -> Reply { throw std::runtime_error("boom"); };
  return r;
}

struct Result {
  std::string out;
  bool open;
};

Result feed(const std::string& data) {
  Session s;
  std::string out;
  bool open = s.feed(data, routes(), out);
  return {out, open};
}

std::string body_of(const std::string& response) {
  auto at = response.find("\r\n\r\n");
  return at == std::string::npos ? "" : response.substr(at + 4);
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("GET /health: 200, OK, text/plain, Content-Length 2, connection kept") {
  auto r = feed("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(r.open);
  CHECK(r.out.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(r.out.find("Content-Type: text/plain; charset=utf-8\r\n") != std::string::npos);
  CHECK(r.out.find("Content-Length: 2\r\n") != std::string::npos);
  CHECK(r.out.find("Date: ") != std::string::npos);
  CHECK(r.out.find("Connection:") == std::string::npos);
  CHECK(body_of(r.out) == "OK");
}

TEST_CASE("HEAD keeps the headers and Content-Length but sends no body") {
  auto r = feed("HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(r.out.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(r.out.find("Content-Length: 2\r\n") != std::string::npos);
  CHECK(body_of(r.out).empty());
}

TEST_CASE("Any method reaches the handler; the query string is ignored") {
  CHECK(body_of(feed("POST /echo HTTP/1.1\r\nContent-Length: 0\r\n\r\n").out) == "POST /echo");
  CHECK(body_of(feed("GET /echo?a=1&b=2 HTTP/1.1\r\n\r\n").out) == "GET /echo");
  CHECK(body_of(feed("GET http://localhost:8080/echo?x HTTP/1.1\r\n\r\n").out) == "GET /echo");
  CHECK(body_of(feed("GET /ech%6F HTTP/1.1\r\n\r\n").out) == "GET /echo");
}

TEST_CASE("Other paths are Go's 404 page not found") {
  for (const char* path : {"/", "/health/", "/Health", "/healthz", "*"}) {
    INFO(path);
    auto r = feed(std::string("GET ") + path + " HTTP/1.1\r\n\r\n");
    CHECK(r.out.rfind("HTTP/1.1 404 Not Found\r\n", 0) == 0);
    CHECK(r.out.find("X-Content-Type-Options: nosniff\r\n") != std::string::npos);
    CHECK(r.out.find("Content-Length: 19\r\n") != std::string::npos);
    CHECK(body_of(r.out) == "404 page not found\n");
    CHECK(r.open);
  }
}

TEST_CASE("Pipelined requests are answered in order, in one output") {
  auto r = feed("GET /echo HTTP/1.1\r\n\r\nHEAD /health HTTP/1.1\r\n\r\nGET /nope HTTP/1.1\r\n\r\n");
  CHECK(r.open);
  auto first = r.out.find("GET /echo");
  auto second = r.out.find("HTTP/1.1 200 OK", first);
  auto third = r.out.find("HTTP/1.1 404", second);
  CHECK(first != std::string::npos);
  CHECK(second != std::string::npos);
  CHECK(third != std::string::npos);
}

TEST_CASE("A request split into single bytes is answered once, when complete") {
  Session s;
  const std::string req = "GET /health HTTP/1.1\r\nHost: example\r\nUser-Agent: t\r\n\r\n";
  std::string out;
  for (size_t i = 0; i < req.size(); ++i) {
    CHECK(s.feed(req.substr(i, 1), routes(), out));
    if (i + 1 < req.size()) CHECK(out.empty());
  }
  CHECK(body_of(out) == "OK");
}

TEST_CASE("Request bodies are skipped by their framing, keeping the connection usable") {
  auto sized = feed("POST /health HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET /echo HTTP/1.1\r\n\r\n");
  CHECK(count(sized.out, "HTTP/1.1 200 OK") == 2);
  CHECK(sized.out.find("GET /echo") != std::string::npos);
  auto chunked = feed(
      "POST /health HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
      "GET /echo HTTP/1.1\r\n\r\n");
  CHECK(count(chunked.out, "HTTP/1.1 200 OK") == 2);
  CHECK(chunked.open);
}

TEST_CASE("Connection: close and HTTP/1.0 end the connection; later bytes are ignored") {
  Session s;
  std::string out;
  CHECK_FALSE(s.feed("GET /health HTTP/1.1\r\nConnection: close\r\n\r\nGET /echo HTTP/1.1\r\n\r\n",
                     routes(), out));
  CHECK(out.find("Connection: close\r\n") != std::string::npos);
  CHECK(count(out, "HTTP/1.1 ") == 1);
  std::string more;
  CHECK_FALSE(s.feed("GET /health HTTP/1.1\r\n\r\n", routes(), more));
  CHECK(more.empty());

  auto old = feed("GET /health HTTP/1.0\r\n\r\n");
  CHECK_FALSE(old.open);
  CHECK(body_of(old.out) == "OK");
  auto kept = feed("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  CHECK(kept.open);
  CHECK(kept.out.find("Connection: keep-alive\r\n") != std::string::npos);
}

TEST_CASE("Malformed requests get 400 Bad Request and the connection closes") {
  for (const char* bad : {"GARBAGE\r\n\r\n", "GET /health HTTP/9.x\r\n\r\n",
                          "GET /health HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                          "GET /%zz HTTP/1.1\r\n\r\n", "GET /%4 HTTP/1.1\r\n\r\n"}) {
    INFO(bad);
    auto r = feed(bad);
    CHECK_FALSE(r.open);
    CHECK(r.out.rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0);
    CHECK(r.out.find("Connection: close\r\n") != std::string::npos);
    CHECK(body_of(r.out) == "400 Bad Request");
  }
}

TEST_CASE("Oversized request lines and headers get 431") {
  auto long_target = feed("GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n");
  CHECK(long_target.out.rfind("HTTP/1.1 431 Request Header Fields Too Large\r\n", 0) == 0);
  CHECK_FALSE(long_target.open);
  auto big_header = feed("GET /health HTTP/1.1\r\nX: " + std::string(90 * 1024, 'b') + "\r\n\r\n");
  CHECK(big_header.out.rfind("HTTP/1.1 431 ", 0) == 0);
  CHECK_FALSE(big_header.open);
}

TEST_CASE("A handler that throws gives 500, and the connection stays usable") {
  auto r = feed("GET /boom HTTP/1.1\r\n\r\nGET /health HTTP/1.1\r\n\r\n");
  CHECK(r.out.rfind("HTTP/1.1 500 Internal Server Error\r\n", 0) == 0);
  CHECK(r.out.find("HTTP/1.1 200 OK") != std::string::npos);
  CHECK(r.open);
}

TEST_CASE("request_path is Go's URL.Path") {
  std::string p;
  CHECK(request_path("/a/b?c#d", p));
  CHECK(p == "/a/b");
  CHECK(request_path("http://h:1/x%20y", p));
  CHECK(p == "/x y");
  CHECK(request_path("http://h", p));
  CHECK(p.empty());
  CHECK_FALSE(request_path("/a%g0", p));
}
