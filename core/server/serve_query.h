#pragma once
// One query's coroutine, the same for UDP and TCP: it owns the Request for as long as the chain
// runs, under the worker's hold on the configuration, which the endpoint took when it started it.
#include <span>
#include <vector>
#include <utility>

#include "core/async/task.h"
#include "core/plugin/request.h"
#include "core/server/replies.h"
#include "core/server/server.h"
#include "core/server/worker.h"

namespace coredns::server {

// CoreDNS's pre-dispatch checks on a raw query: true when it goes to the chain, with `view`
// parsed over `raw`. Otherwise it is dropped, or `write(std::vector<uint8_t>)` gets the reply the
// core writes for it.
template <typename Write>
bool admit(std::span<const uint8_t> raw, dns::MessageView& view, Write write) {
  std::vector<uint8_t> reply;
  switch (precheck_query(raw, view, reply)) {
    case Precheck::drop: return false;
    case Precheck::reply_ready: write(std::move(reply)); return false;
    case Precheck::accept: return true;
  }
  return false;
}

// Starts serving `query` (admitted: parsed over the receive buffer, which the Request copies,
// with the endpoints, before the coroutine first suspends) now. `deliver(Response&&)` gets the reply (unwritten when
// there is none to send) and runs before the hold is let go.
template <typename Deliver>
async::detail::Detached serve_query(const Server* server, HeldConfig* ref,
                                    const dns::MessageView& query, Transport transport,
                                    const Endpoint& remote, const Endpoint& local,
                                    Deliver deliver) {
  Request req(query, transport, remote, local, server);
  req.set_keeper(ref);
  Response resp;
  try {
    resp = co_await server->serve(req);
  } catch (...) {
    // Server::serve contains plugin failures; anything else loses just this query.
  }
  server->keep(req, resp);
  deliver(std::move(resp));
  ref->leave();
}

}  // namespace coredns::server
