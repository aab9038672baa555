#include "core/plugin/handler.h"

#include <fmt/format.h>

namespace coredns {
namespace {

Task<Response> no_next_plugin(std::string_view caller) {
  co_return Response::unwritten(dns::rcode::SERVFAIL,
                                fmt::format("plugin/{}: no next plugin found", caller));
}

}  // namespace

Task<Response> Next::operator()(Request& req) const {
  if (rest_.empty()) return no_next_plugin(caller_);
  Handler* h = rest_.front();
  return h->serve(req, Next(rest_.subspan(1), h->name()));
}

Task<Response> serve_chain(std::span<Handler* const> chain, Request& req) {
  if (chain.empty()) return no_next_plugin("");
  return chain.front()->serve(req, Next(chain.subspan(1), chain.front()->name()));
}

}  // namespace coredns
