#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/dns/types.h"

namespace coredns {

namespace metrics {
class Counter;
}

// The counters a handler bumped for a reply that it promises fresh (Response::fresh_for): a
// handler above that answers the same question again with the kept reply, instead of asking
// again, bumps them in its place, so the metrics do not tell the two apart. Unused cells are null.
using ReuseCounters = std::array<metrics::Counter*, 4>;

// What a handler returns: `Task<Response> serve(Request&, Next)` (core/plugin/handler.h).
//
// Either a reply was "written" (`wire` holds a complete DNS message, `rcode` is its rcode), or
// nothing was written and `rcode` is one of SERVFAIL, REFUSED, FORMERR, NOTIMP, for which the
// server writes a minimal error reply itself, exactly as CoreDNS's ClientWrite rule. `error`
// carries a failure for the errors plugin to log, as CoreDNS's returned error value.
struct Response {
  std::vector<uint8_t> wire;
  uint16_t rcode = dns::rcode::NOERROR;
  std::string error;
  // Set once the reply has had its OPT normalised and been truncated for the client.
  bool scrubbed = false;
  // The writer vouches that `wire` parses, has no OPT record and nothing after its last record
  // (a cache hit, a kept dns64 answer): the scrub need not parse a reply that fits the client.
  // Changes that keep this true (reordering or cutting whole records) may leave it set.
  bool plain = false;
  // The plugin that wrote the reply (its name()), for the `plugin` label of
  // coredns_dns_responses_total; empty when unknown, as CoreDNS leaves it.
  std::string_view plugin;
  // Seconds for which the handler that wrote this reply would write the same one to anyone who
  // asks the same question with the same DO and CD bits: a promise that a handler above may keep
  // the reply, or what it builds from it, that long (Handler::reply_reuse says who may make it).
  // 0, the default, promises nothing.
  uint32_t fresh_for = 0;
  // With fresh_for: what answering this reply again counts (ReuseCounters).
  ReuseCounters on_reuse{};

  static Response reply(std::vector<uint8_t> wire, uint16_t rcode, std::string_view plugin = {}) {
    Response r;
    r.wire = std::move(wire);
    r.rcode = rcode;
    r.plugin = plugin;
    return r;
  }
  static Response unwritten(uint16_t rcode, std::string error = {}) {
    Response r;
    r.rcode = rcode;
    r.error = std::move(error);
    return r;
  }
  bool written() const { return !wire.empty(); }
};

}  // namespace coredns
