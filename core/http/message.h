#pragma once
// What the HTTP endpoints (health, ready, prometheus) see of a request and give back.
#include <functional>
#include <map>
#include <string>

namespace coredns::http {

struct Request {
  std::string method;  // "GET", "HEAD", ...
  std::string path;    // percent-decoded, without the query string (Go's URL.Path)
};

struct Reply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// Runs on the HTTP server's thread: whatever it reads must be safe to read from there.
using Handler = std::function<Reply(const Request&)>;

// Exact path -> handler, for one listening address.
using Routes = std::map<std::string, Handler, std::less<>>;

}  // namespace coredns::http
