#include "core/server/server.h"

#include <algorithm>
#include <exception>

#include "core/dns/error_reply.h"
#include "core/dns/scrub.h"
#include "core/dns/types.h"
#include "core/server/replies.h"
#include "core/util/log.h"

namespace coredns::server {
namespace {

std::string_view wire_key(std::span<const uint8_t> wire) {
  return {reinterpret_cast<const char*>(wire.data()), wire.size()};
}

}  // namespace

bool Server::add_zone(const std::string& zone, const Block* block) {
  dns::Name name;
  if (!dns::Name::from_text(zone, name)) return false;
  name.to_lower();
  if (!zones_.emplace(std::string(wire_key(name.wire())), block).second) return false;
  zone_lengths_.set(name.size());
  if (name.is_root()) root_ = block;
  zone_texts_.push_back(zone);
  for (Handler* h : block->chain) any_class_ = any_class_ || h->accepts_any_class();
  debug_ = debug_ || block->options.debug;
  stacktrace_ = stacktrace_ || block->options.stacktrace;
  if (address_.transport != "dns" && !stream_layer_) stream_layer_ = block->options.stream_layer;
  return true;
}

std::vector<std::string> Server::zone_names() const {
  auto names = zone_texts_;
  std::sort(names.begin(), names.end());
  return names;
}

const Block* Server::route(const Request& req) const {
  const dns::Name& q = req.qname_lower();
  const bool ds = req.qtype() == dns::type::DS;
  const Block* found = nullptr;
  bool stop = false;
  q.for_each_suffix([&](std::span<const uint8_t> suffix) {
    if (stop) return;
    // The root is only looked at when it is the query name itself, or as the last resort.
    if (suffix.size() == 1 && !q.is_root()) return;
    if (!zone_lengths_.test(suffix.size())) return;
    auto it = zones_.find(wire_key(suffix));
    if (it == zones_.end()) return;
    if (it->second->chain.empty()) {
      found = it->second;  // an empty chain refuses at once, no fallback
      stop = true;
      return;
    }
    found = it->second;
    // DS goes to the parent-most matching zone: keep walking.
    if (!ds) stop = true;
  });
  return found ? found : root_;
}

Task<Response> Server::serve(Request& req) const {
  const dns::MessageView& q = req.msg();
  Response resp;
  const dns::OptView* opt = q.opt();
  if (opt && opt->version != 0) {
    resp = Response::reply(badvers_reply(q), dns::rcode::BADVERS);
    resp.scrubbed = true;
    co_return resp;
  }
  const bool bad_cookie = opt && dns::malformed_cookie(*opt);
  const Block* block = nullptr;
  if (!bad_cookie && (req.qclass() == dns::cls::IN || any_class_)) block = route(req);
  if (bad_cookie) {
    // RFC 7873 §5.2.2. The scrub leaves the malformed option out of the reply's OPT.
    resp = Response::unwritten(dns::rcode::FORMERR);
  } else if (!block || block->chain.empty()) {
    resp = Response::unwritten(dns::rcode::REFUSED);
  } else if (debug_) {
    try {
      resp = co_await serve_chain(block->chain, req);
    } catch (...) {
      // debug: no recovery. CoreDNS dies of the panic; so does this process, through
      // std::terminate, which prints the exception and aborts (a core dump to debug with).
      log::flush_thread();
      std::terminate();
    }
  } else {
    try {
      resp = co_await serve_chain(block->chain, req);
    } catch (const std::exception& e) {
      metrics::panic_counter().inc();
      log::error(fmt::format("Recovered from panic in server: \"{}\" {}", address_.key(), e.what()));
      resp = Response::unwritten(dns::rcode::SERVFAIL);
    }
  }
  if (!resp.written() && dns::is_unwritten_rcode(resp.rcode))
    resp.wire = dns::error_reply(q, resp.rcode);
  if (resp.written() && !resp.scrubbed) {
    dns::scrub_reply(resp.wire, q, {.tcp = req.tcp(), .extra_echoed_options = {}}, resp.plain);
    resp.scrubbed = true;
  }
  co_return resp;
}

}  // namespace coredns::server
