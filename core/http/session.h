#pragma once
// The HTTP/1.1 protocol of one connection, without any I/O: bytes in, response bytes out. The
// parsing is libhttp-parser's (docs/http-and-metrics.md says why); this adds routing by exact
// path and Go net/http's replies (404 text, 400 on malformed requests, keep-alive rules).
#include <http_parser.h>

#include <string>
#include <string_view>

#include "core/http/message.h"

namespace coredns::http {

class Session {
 public:
  Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Parses `data`, answering every request completed so far from `routes` (pipelined requests
  // in order) by appending to `out`. Returns false once the connection must be closed after
  // `out` is sent (Connection: close, HTTP/1.0, a malformed request); later bytes are ignored.
  bool feed(std::string_view data, const Routes& routes, std::string& out);

 private:
  static int on_message_begin(http_parser* p);
  static int on_url(http_parser* p, const char* at, size_t len);
  static int on_message_complete(http_parser* p);
  void answer_error(int status, std::string& out);

  http_parser parser_{};
  std::string url_;
  const Routes* routes_ = nullptr;
  std::string* out_ = nullptr;
  bool open_ = true;
};

// Formats one response the way Go's net/http writes it. `head` leaves the body out (keeping its
// Content-Length); `close` adds "Connection: close"; `keep_alive_10` answers an HTTP/1.0
// keep-alive request with "Connection: keep-alive".
std::string format_response(const Reply& reply, bool head, bool close, bool keep_alive_10 = false);

// The reply of an unknown path: Go's http.NotFound.
Reply not_found();

// Go's URL.Path of a request target: the path of an origin-form ("/a?b") or absolute-form
// ("http://h/a") target, percent-decoded. False when the target is not a valid URL.
bool request_path(std::string_view target, std::string& path);

}  // namespace coredns::http
