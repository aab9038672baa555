#pragma once
// A server: every zone served on one listen address, and the routing of a query to the chain of
// the server block that owns its longest matching zone (CoreDNS's core/dnsserver/server.go).
#include <bitset>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/corefile/keys.h"
#include "core/dns/name.h"
#include "core/metrics/metrics.h"
#include "core/plugin/handler.h"
#include "core/plugin/kept_replies.h"
#include "core/plugin/listen_address.h"
#include "core/plugin/lookup.h"
#include "core/plugin/setup.h"

namespace coredns::server {

// One server block of the Corefile after setup: its plugin chain, shared by all its zones.
struct Block {
  std::vector<corefile::ZoneAddress> zones;
  std::vector<std::shared_ptr<Handler>> handlers;  // owners, in plugin.cfg order
  std::vector<Handler*> chain;                     // the same, for Next
  BlockOptions options;
};

class Server final : public Lookup {
 public:
  explicit Server(ListenAddress address)
      : address_(std::move(address)), key_(address_.key()) {}

  // Adds a zone served by `block`; false if the zone is already served here.
  bool add_zone(const std::string& zone, const Block* block);

  // Serves a query that passed the pre-dispatch checks: class and EDNS version checks, zone
  // selection, the chain, the core's error reply, then the scrub for the client. An empty wire
  // in the result means no reply is sent.
  Task<Response> serve(Request& req) const override;
  const std::string& key() const override { return key_; }

  // Kept replies (docs/architecture.md): the reply kept for a UDP query that passed the
  // pre-dispatch checks, ready to send, into `out`; false when none is kept. `hash` is
  // KeptReplyKey::hash_of(the query's octets, client_ipv4). A hit bumps the counters the chain
  // would have.
  bool answer_kept(const dns::MessageView& query, bool client_ipv4, uint64_t hash,
                   std::vector<uint8_t>& out) const;
  // Fetches what answer_kept(…, hash, …) will read, while the query is being checked.
  void prefetch_kept(uint64_t hash) const { kept_->prefetch(hash); }
  // Whether this worker holds no kept reply: answer_kept would find none whatever the hash.
  bool kept_nothing() const { return kept_->empty(); }
  // Keeps `resp`, the finished reply to the UDP query `req`, for as long as it is promised fresh
  // to every client (Response::fresh_for), when the chain that wrote it can make that promise.
  void keep(const Request& req, const Response& resp) const;

  const ListenAddress& address() const { return address_; }
  // Zones in text form, sorted as CoreDNS prints them at startup.
  std::vector<std::string> zone_names() const;
  bool debug() const { return debug_; }
  // tls:// addresses: the layer of the first block served here (the Corefile's order), so that
  // which certificate a port presents does not depend on anything but the Corefile.
  const StreamLayerFactory* stream_layer() const { return stream_layer_.get(); }

 private:
  const Block* route(const Request& req) const;
  // The rest of serve() for a chain that suspended.
  Task<Response> finish_later(Request& req, Task<Response> chain) const;
  // A plugin's exception, contained as CoreDNS's recover does: SERVFAIL, the panic counted and
  // logged; with `debug`, none: the process terminates.
  Response contain(std::exception_ptr error) const;
  // The core's error reply for an unwritten rcode, then the scrub for the client.
  Response finish(const Request& req, Response resp) const;

  ListenAddress address_;
  std::string key_;
  // Looked up by string_view: routing a query builds no string per suffix.
  struct WireHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, const Block*, WireHash, std::equal_to<>> zones_;  // key: lower-cased wire name
  // The wire lengths of the zones: a suffix of another length is not looked up (with the usual
  // single root zone, no suffix but the root is), and the root zone's block, found every query.
  std::bitset<dns::kMaxNameLength + 1> zone_lengths_;
  const Block* root_ = nullptr;
  std::vector<std::string> zone_texts_;
  bool any_class_ = false;
  bool debug_ = false;
  bool stacktrace_ = false;
  std::shared_ptr<const StreamLayerFactory> stream_layer_;
  // Per worker; one configuration's, so a reload starts empty.
  std::unique_ptr<KeptReplies> kept_ = std::make_unique<KeptReplies>();
};

}  // namespace coredns::server
