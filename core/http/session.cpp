#include "core/http/session.h"

#include <fmt/format.h>

#include "core/util/time_text.h"

namespace coredns::http {
namespace {

// Go's limit is on the whole header (1 MB); the parser already stops headers at 80 KB, and a
// health or metrics path has no business being longer than this.
constexpr size_t kMaxTarget = 8 * 1024;

const char* reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "";
  }
}

// RFC 7231's IMF-fixdate, as Go writes the Date header.
std::string http_date() { return format_now("%a, %d %b %Y %H:%M:%S GMT", Zone::utc); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Session::Session() {
  http_parser_init(&parser_, HTTP_REQUEST);
  parser_.data = this;
}

bool Session::feed(std::string_view data, const Routes& routes, std::string& out) {
  if (!open_) return false;
  static const http_parser_settings settings = [] {
    http_parser_settings s{};
    s.on_message_begin = &Session::on_message_begin;
    s.on_url = &Session::on_url;
    s.on_message_complete = &Session::on_message_complete;
    return s;
  }();
  routes_ = &routes;
  out_ = &out;
  http_parser_execute(&parser_, &settings, data.data(), data.size());
  const auto err = static_cast<http_errno>(parser_.http_errno);
  if (err == HPE_PAUSED) {
    open_ = false;  // paused after answering a request that ends the connection
  } else if (err != HPE_OK) {
    answer_error(err == HPE_HEADER_OVERFLOW || err == HPE_CB_url ? 431 : 400, out);
  } else if (parser_.upgrade) {
    open_ = false;  // no protocol switch here: the request was answered, the connection ends
  }
  routes_ = nullptr;
  out_ = nullptr;
  return open_;
}

int Session::on_message_begin(http_parser* p) {
  static_cast<Session*>(p->data)->url_.clear();
  return 0;
}

int Session::on_url(http_parser* p, const char* at, size_t len) {
  auto* s = static_cast<Session*>(p->data);
  if (s->url_.size() + len > kMaxTarget) return 1;
  s->url_.append(at, len);
  return 0;
}

int Session::on_message_complete(http_parser* p) {
  auto* s = static_cast<Session*>(p->data);
  Request req;
  req.method = http_method_str(static_cast<http_method>(p->method));
  if (!request_path(s->url_, req.path)) {
    s->answer_error(400, *s->out_);
    http_parser_pause(p, 1);
    return 0;
  }
  Reply reply;
  auto route = s->routes_->find(req.path);
  if (route == s->routes_->end()) {
    reply = not_found();
  } else {
    try {
      reply = route->second(req);
    } catch (const std::exception&) {
      reply = Reply{500, "text/plain; charset=utf-8", "500 Internal Server Error\n"};
    }
  }
  const bool keep_alive = http_should_keep_alive(p) != 0;
  const bool http10 = p->http_major == 1 && p->http_minor == 0;
  *s->out_ += format_response(reply, p->method == HTTP_HEAD, !keep_alive && !http10,
                              keep_alive && http10);
  if (!keep_alive) http_parser_pause(p, 1);
  return 0;
}

void Session::answer_error(int status, std::string& out) {
  // Go's server answers unparseable requests with a bare text and hangs up.
  out += fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
      "{} {}",
      status, reason(status), status, reason(status));
  open_ = false;
}

std::string format_response(const Reply& reply, bool head, bool close, bool keep_alive_10) {
  std::string out = fmt::format("HTTP/1.1 {} {}\r\nContent-Type: {}\r\n", reply.status,
                                reason(reply.status), reply.content_type);
  if (reply.status == 404) out += "X-Content-Type-Options: nosniff\r\n";
  out += fmt::format("Date: {}\r\nContent-Length: {}\r\n", http_date(), reply.body.size());
  if (close) out += "Connection: close\r\n";
  if (keep_alive_10) out += "Connection: keep-alive\r\n";
  out += "\r\n";
  if (!head) out += reply.body;
  return out;
}

Reply not_found() { return Reply{404, "text/plain; charset=utf-8", "404 page not found\n"}; }

bool request_path(std::string_view target, std::string& path) {
  path.clear();
  http_parser_url u;
  http_parser_url_init(&u);
  if (http_parser_parse_url(target.data(), target.size(), 0, &u) != 0) return false;
  if (!(u.field_set & (1 << UF_PATH))) return true;
  std::string_view raw = target.substr(u.field_data[UF_PATH].off, u.field_data[UF_PATH].len);
  path.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '%') {
      path += raw[i];
      continue;
    }
    if (i + 2 >= raw.size()) return false;
    const int hi = hex_value(raw[i + 1]), lo = hex_value(raw[i + 2]);
    if (hi < 0 || lo < 0) return false;
    path += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

}  // namespace coredns::http
