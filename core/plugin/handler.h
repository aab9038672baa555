#pragma once
#include <memory>
#include <span>
#include <string_view>

#include "core/async/task.h"
#include "core/plugin/request.h"
#include "core/plugin/response.h"

namespace coredns {

using async::Task;

class Handler;

// The rest of the chain after the calling handler. Calling it with no handler left returns
// SERVFAIL, unwritten, with "plugin/<caller>: no next plugin found" (as CoreDNS).
class Next {
 public:
  Next(std::span<Handler* const> rest, std::string_view caller) : rest_(rest), caller_(caller) {}
  Task<Response> operator()(Request& req) const;
  bool empty() const { return rest_.empty(); }

 private:
  std::span<Handler* const> rest_;
  std::string_view caller_;
};

// A plugin's request handler. One instance serves a whole server block on every worker thread at
// once: shared state must be thread-safe (per-worker slots, sharded locks, atomics).
class Handler {
 public:
  virtual ~Handler() = default;
  virtual std::string_view name() const = 0;
  virtual Task<Response> serve(Request& req, Next next) = 0;
  // Whether queries of a class other than IN may reach the chain (CoreDNS lets them through on a
  // listener that has chaos, forward or proxy).
  virtual bool accepts_any_class() const { return false; }

  // Whether a handler above this one, or the server, may trust Response::fresh_for on the
  // replies it returns: `source`, it sets fresh_for only where the promise holds and clears it
  // on replies it passes on (cache); `pass`, the replies it returns depend only on the question,
  // DO and CD, and fresh_for passes through it (a plugin answering one special kind of query);
  // `none`, the default, makes no such claim (its replies may depend on the client, the
  // transport or chance); `gate`, it either passes a query on unchanged or answers it itself,
  // and which it does depends only on the question and the client (acl): a handler above may
  // skip it for a query it admits(). A handler looks down its chain through `pass` and `gate`
  // handlers to the first `source`.
  //
  // The server keeps a UDP reply whose chain reaches a `source` through `pass` handlers alone,
  // and answers the same query with it while fresh_for lasts, without running the chain
  // (docs/architecture.md, "Kept replies"). So a `pass` or `source` handler has no effect of
  // its own on a query whose reply carries fresh_for (a log line, a count) but the counters it
  // lists in Response::on_reuse. A source's reply may also depend on the client's address
  // family, which the server's key holds (dns64 without allow_ipv4).
  enum class Reuse { none, pass, gate, source };
  virtual Reuse reply_reuse() const { return Reuse::none; }
  // For a `gate`: whether it would pass a query of type `qtype` for req's name from req's client
  // on unchanged; a query it admits is counted in its metrics as if it had been served.
  virtual bool admits(const Request& req, uint16_t qtype) {
    (void)req;
    (void)qtype;
    return false;
  }
};

// Runs a chain from its first handler.
Task<Response> serve_chain(std::span<Handler* const> chain, Request& req);

}  // namespace coredns
