#include "core/server/server.h"

#include <algorithm>
#include <exception>

#include "core/dns/error_reply.h"
#include "core/dns/scrub.h"
#include "core/dns/types.h"
#include "core/dns/wire.h"
#include "core/server/kept_replies_key.h"
#include "core/server/replies.h"
#include "core/util/log.h"

namespace coredns::server {
namespace {

std::string_view wire_key(std::span<const uint8_t> wire) {
  return {reinterpret_cast<const char*>(wire.data()), wire.size()};
}

// Whether the chain's replies may be kept on the promise of the Response::fresh_for they carry:
// through question-only handlers to the first that makes such promises (Handler::reply_reuse).
// Anything else (log, metrics, acl, loadbalance) sees, counts or decides per query.
bool promises_for_everyone(std::span<Handler* const> chain) {
  for (Handler* h : chain) {
    switch (h->reply_reuse()) {
      case Handler::Reuse::source: return true;
      case Handler::Reuse::pass: continue;
      case Handler::Reuse::gate:
      case Handler::Reuse::none: return false;
    }
  }
  return false;
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
  const dns::OptView* opt = q.opt();
  if (opt && opt->version != 0) {
    Response resp = Response::reply(badvers_reply(q), dns::rcode::BADVERS);
    resp.scrubbed = true;
    return Task<Response>::ready(std::move(resp));
  }
  const bool bad_cookie = opt && dns::malformed_cookie(*opt);
  const Block* block = nullptr;
  if (!bad_cookie && (req.qclass() == dns::cls::IN || any_class_)) block = route(req);
  // RFC 7873 §5.2.2. The scrub leaves the malformed option out of the reply's OPT.
  if (bad_cookie)
    return Task<Response>::ready(finish(req, Response::unwritten(dns::rcode::FORMERR)));
  if (!block || block->chain.empty())
    return Task<Response>::ready(finish(req, Response::unwritten(dns::rcode::REFUSED)));
  Task<Response> chain;
  try {
    chain = serve_chain(block->chain, req);
  } catch (...) {
    return Task<Response>::ready(finish(req, contain(std::current_exception())));
  }
  // A chain that answered at once (a cache hit) is finished here, without a coroutine frame.
  if (chain.await_ready()) return Task<Response>::ready(finish(req, chain.await_resume()));
  return finish_later(req, std::move(chain));
}

Task<Response> Server::finish_later(Request& req, Task<Response> chain) const {
  Response resp;
  try {
    resp = co_await chain;
  } catch (...) {
    resp = contain(std::current_exception());
  }
  co_return finish(req, std::move(resp));
}

Response Server::contain(std::exception_ptr error) const {
  // debug: no recovery. CoreDNS dies of the panic; so does this process, through
  // std::terminate inside the handler, which prints the exception and aborts (a core dump to
  // debug with).
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    if (debug_) {
      log::flush_thread();
      std::terminate();
    }
    metrics::panic_counter().inc();
    log::error(fmt::format("Recovered from panic in server: \"{}\" {}", address_.key(), e.what()));
  } catch (...) {
    if (debug_) {
      log::flush_thread();
      std::terminate();
    }
    throw;
  }
  return Response::unwritten(dns::rcode::SERVFAIL);
}

Response Server::finish(const Request& req, Response resp) const {
  if (!resp.written() && dns::is_unwritten_rcode(resp.rcode))
    resp.wire = dns::error_reply(req.msg(), resp.rcode);
  if (resp.written() && !resp.scrubbed) {
    dns::scrub_reply(resp.wire, req.msg(), {.tcp = req.tcp(), .extra_echoed_options = {}},
                     resp.plain);
    resp.scrubbed = true;
  }
  return resp;
}

bool Server::answer_kept(const dns::MessageView& query, bool client_ipv4, uint64_t hash,
                         std::vector<uint8_t>& out) const {
  if (!kept_->prefetch_reply(hash)) return false;  // else fetched while the key is made
  KeptReplyKey key;
  if (!key.make(query, client_ipv4)) return false;
  const dns::Question& q = query.question();
  const auto hit =
      kept_->find(hash, key.view(), query.bytes().subspan(q.name_offset, q.name_length), out);
  if (!hit) return false;
  // The kept reply answered a query with the same octets but the ID (KeptReplyKey).
  dns::store16(out.data(), query.header().id);
  for (metrics::Counter* c : hit->counters)
    if (c) c->inc();
  return true;
}

void Server::keep(const Request& req, const Response& resp) const {
  // A reply with an error is the errors plugin's to log, every time.
  if (!resp.fresh_for || !resp.written() || !resp.error.empty()) return;
  if (req.transport() != Transport::udp) return;
  KeptReplyKey key;
  if (!key.make(req.msg(), req.remote().is_ipv4())) return;
  const Block* block = route(req);
  if (!block || !promises_for_everyone(block->chain)) return;
  const uint64_t hash = KeptReplyKey::hash_of(req.msg().bytes(), req.remote().is_ipv4());
  kept_->keep(hash, key.view(), resp.wire, req.qname().wire(), resp.fresh_for,
              /*cut_opt=*/false, resp.on_reuse);
}

}  // namespace coredns::server
