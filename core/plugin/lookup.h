#pragma once
// What a query can reach of the server it arrived on. The server implements it; a unit test gives
// a Request its own (a chain of its choosing, a fixed key) and needs no whole server.
#include <string>

#include "core/async/task.h"
#include "core/plugin/response.h"

namespace coredns {

class Request;

class Lookup {
 public:
  // Runs `sub` through the server as a query of its own: zone routing, the owning block's chain,
  // the error reply for an unwritten rcode, the scrub. CoreDNS's upstream.Lookup does the same
  // through its own server. Plugins call it through Request::lookup.
  virtual async::Task<Response> serve(Request& sub) const = 0;
  // The server's name, "dns://:53": the `server` label of CoreDNS's metrics. The same string
  // object for the life of the configuration, so a per-worker table may key on its address.
  virtual const std::string& key() const = 0;

 protected:
  ~Lookup() = default;
};

}  // namespace coredns
