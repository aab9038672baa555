#pragma once
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/async/task.h"
#include "core/dns/message.h"
#include "core/dns/name.h"
#include "core/plugin/lookup.h"
#include "core/plugin/response.h"

namespace coredns {

enum class Transport : uint8_t { udp, tcp };

// What keeps the configuration a query runs on alive: the worker's hold on it. Work a plugin
// starts in the background for a query (cache's prefetch) takes a hold too, so that a reload
// waits for it as for a query in flight. Used on the worker thread that serves the query.
class ConfigKeeper {
 public:
  virtual void enter() = 0;
  virtual void leave() = 0;

 protected:
  ~ConfigKeeper() = default;
};

// A hold on a configuration (see ConfigKeeper); empty when the query has no keeper (tests).
class ConfigHold {
 public:
  ConfigHold() = default;
  explicit ConfigHold(ConfigKeeper* k) : keeper_(k) {
    if (keeper_) keeper_->enter();
  }
  ConfigHold(ConfigHold&& o) noexcept : keeper_(o.keeper_) { o.keeper_ = nullptr; }
  ConfigHold& operator=(ConfigHold&& o) noexcept {
    if (this != &o) {
      reset();
      keeper_ = o.keeper_;
      o.keeper_ = nullptr;
    }
    return *this;
  }
  ~ConfigHold() { reset(); }
  void reset() {
    if (keeper_) std::exchange(keeper_, nullptr)->leave();
  }

 private:
  ConfigKeeper* keeper_ = nullptr;
};

// An IPv4 or IPv6 socket address in the room of the larger (28 bytes, where sockaddr_storage
// takes 128): every query carries a few, copied and cleared.
union SocketAddress {
  sockaddr sa;
  sockaddr_in in4;
  sockaddr_in6 in6;
};

// A socket address with IPv4-mapped IPv6 addresses shown as IPv4, as Go (and so CoreDNS) does.
struct Endpoint {
  SocketAddress addr{};

  static Endpoint from(const sockaddr* sa);
  int family() const { return addr.sa.sa_family; }
  bool is_ipv4() const { return family() == AF_INET; }
  std::string ip() const;          // "127.0.0.1", "::1"
  std::string ip_bracketed() const;  // "127.0.0.1", "[::1]" (log's {remote})
  uint16_t port() const;
  const sockaddr* sa() const { return reinterpret_cast<const sockaddr*>(&addr); }
  socklen_t len() const;
};

// One query being served. It owns a copy of the query bytes, already checked by the server (a
// single question, QR clear, opcode QUERY or NOTIFY, a parseable body).
class Request {
 public:
  // `bytes` must parse (the server validated them); `server` is the server the query arrived
  // on, through which plugins make sub-queries (null in tests that make none).
  Request(std::span<const uint8_t> bytes, Transport transport, const Endpoint& remote,
          const Endpoint& local, const Lookup* server);
  // The same from a query already parsed without error (the server's checks): its bytes are
  // copied and the view moved onto the copy, not parsed again.
  Request(const dns::MessageView& parsed, Transport transport, const Endpoint& remote,
          const Endpoint& local, const Lookup* server);
  ~Request();
  Request(const Request&) = delete;
  Request& operator=(const Request&) = delete;

  // A copy of this request with the question replaced (same ID, flags and OPT), for plugins that
  // issue a lookup of their own through the chain (dns64's A query, as CoreDNS's upstream).
  // Its depth is one more than this one's.
  std::unique_ptr<Request> derive(const dns::Name& qname, uint16_t qtype) const;
  // A sub-query: `qname`/`qtype` asked of the server this query arrived on, through its routing
  // and chain, as CoreDNS's upstream.Lookup (dns64's A query). The reply is scrubbed like a
  // client's. Past kMaxLookupDepth nested lookups, the answer is an unwritten SERVFAIL.
  async::Task<Response> lookup(const dns::Name& qname, uint16_t qtype) const;
  // Whether lookup() may still go one level deeper: a plugin that makes sub-queries lets a query
  // past this bound through untouched, so two plugins that look each other up cannot loop.
  bool may_lookup() const { return depth_ < kMaxLookupDepth; }
  static constexpr int kMaxLookupDepth = 4;
  // A copy of this request with header flags added (same question, OPT, transport, endpoints
  // and depth), for a plugin that passes on a changed query, as cache sets AD upstream.
  std::unique_ptr<Request> with_flags(uint16_t flags) const;

  const dns::MessageView& msg() const { return msg_; }
  std::span<const uint8_t> wire() const { return msg_.bytes(); }
  uint16_t id() const { return msg_.header().id; }
  const dns::Name& qname() const { return qname_; }          // as sent
  const dns::Name& qname_lower() const { return qname_lower_; }
  std::string name() const { return qname_lower_.to_text(); }  // CoreDNS's state.Name()
  uint16_t qtype() const { return msg_.question().qtype; }
  uint16_t qclass() const { return msg_.question().qclass; }

  bool has_opt() const { return msg_.opt() != nullptr; }
  bool do_bit() const { return msg_.opt() && msg_.opt()->do_bit(); }
  bool cd_bit() const { return msg_.header().has(dns::Header::CD); }
  // The size a reply may have: 65535 on TCP, else max(512, EDNS size), 512 without EDNS.
  uint16_t size_limit() const;

  Transport transport() const { return transport_; }
  bool tcp() const { return transport_ == Transport::tcp; }
  const Endpoint& remote() const { return remote_; }
  const Endpoint& local() const { return local_; }

  // The server's name, "dns://:53", for the `server` label of metrics (Lookup::key); "" when
  // the request has no server (tests).
  const std::string& server_key() const;
  // How many derive() steps led here; plugins refuse to re-enter beyond a small bound.
  int depth() const { return depth_; }

  // Keeps this query's configuration alive for background work (see ConfigKeeper).
  ConfigHold hold_config() const { return ConfigHold(keeper_); }
  // For the endpoints: who holds the configuration this query runs on.
  void set_keeper(ConfigKeeper* keeper) { keeper_ = keeper; }

 private:
  void init_names();

  std::vector<uint8_t> bytes_;
  dns::MessageView msg_;
  dns::Name qname_;
  dns::Name qname_lower_;
  Transport transport_;
  Endpoint remote_;
  Endpoint local_;
  const Lookup* server_;
  ConfigKeeper* keeper_ = nullptr;
  int depth_ = 0;
};

}  // namespace coredns
