#include "plugins/errors/errors.h"

#include <fmt/format.h>

#include "core/dns/types.h"

namespace coredns::plugins::errors {

std::string error_line(const Request& req, uint16_t rcode, std::string_view error) {
  std::string line = fmt::format("{} ", rcode);
  req.qname_lower().append_text(line);
  fmt::format_to(std::back_inserter(line), " {}: {}", dns::type_name(req.qtype()), error);
  return line;
}

void Errors::report(const Request& req, uint16_t rcode, const std::string& error) const {
  log::Level level = log::Level::error;
  if (consolidator_) {
    if (auto i = consolidator_->match(error)) {
      if (!consolidator_->record(*i)) return;
      level = consolidator_->rule(*i).level;
    }
  }
  printer_(level, error_line(req, rcode, error));
}

Task<Response> Errors::serve(Request& req, Next next) {
  Response resp = co_await next(req);
  if (!resp.error.empty()) report(req, resp.rcode, resp.error);
  co_return resp;
}

}  // namespace coredns::plugins::errors
