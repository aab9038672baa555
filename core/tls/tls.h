#pragma once
// DNS over TLS (RFC 7858) for forward's upstreams and for tls:// server blocks, behind one small
// interface: configs built from a directive's options and a sans-I/O Session. A Session never
// touches a socket; its owner feeds it the bytes that arrived and sends the bytes it produces,
// which fits a pooled upstream stream and a libuv server connection alike. No type of the TLS
// library appears here, so that another library can replace the .cpp files alone.
// docs/tls.md describes the choice of library and the verification rules.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace coredns::tls {

// What a config builder returns: a value, or the error text a user reads (it names the file and
// the reason: "open /x/cert.pem: no such file or directory").
template <class T>
struct Result {
  T value{};
  std::string error;
  explicit operator bool() const { return error.empty(); }
};

struct ClientOptions {
  std::string cert_file, key_file;  // client certificate: both or neither
  std::string ca_file;              // empty: the system's CAs (system_ca_file())
  // SNI and the name the certificate must carry; empty: no SNI, and one of the certificate's IP
  // SANs must be the address dialled (what Go, and so CoreDNS, does without a server name).
  std::string server_name;
};

// CoreDNS's client_auth policies (Go's tls.ClientAuthType).
enum class ClientAuth {
  nocert,              // no client certificate asked for
  request,             // asked for, not required, not verified
  require,             // required, any certificate accepted
  verify_if_given,     // optional; verified when sent
  require_and_verify,  // required and verified
};

struct ServerOptions {
  std::string cert_file, key_file;
  // The CAs that verify client certificates; empty: the system's CAs.
  std::string client_ca_file;
  ClientAuth client_auth = ClientAuth::nocert;
};

class ClientConfig;  // opaque, immutable, safe to share between threads
class ServerConfig;

Result<std::shared_ptr<const ClientConfig>> make_client_config(const ClientOptions& options);
Result<std::shared_ptr<const ServerConfig>> make_server_config(const ServerOptions& options);

// The CA bundle used when no CA is given: $SSL_CERT_FILE, else the first of the usual places
// (Debian's /etc/ssl/certs/ca-certificates.crt, Fedora's, OpenSUSE's, Alpine's ...) that
// exists; empty when none does.
std::string system_ca_file();

// The last session a client established with one upstream, offered again on the next handshake
// (RFC 5077 ticket or session ID) so that a new connection skips the full handshake. Thread-safe:
// connections of one upstream on several workers share it.
class ResumptionCache {
 public:
  ResumptionCache();
  ~ResumptionCache();
  ResumptionCache(const ResumptionCache&) = delete;
  ResumptionCache& operator=(const ResumptionCache&) = delete;
  struct State;

 private:
  friend class Session;
  std::unique_ptr<State> state_;
};

class Session {
 public:
  // A client session starts its handshake at once: take_outgoing() holds the ClientHello.
  // `peer_ip` is the address dialled, for the IP-SAN check when the config has no server name.
  static std::unique_ptr<Session> client(std::shared_ptr<const ClientConfig> config,
                                         std::string_view peer_ip,
                                         std::shared_ptr<ResumptionCache> resume = nullptr);
  static std::unique_ptr<Session> server(std::shared_ptr<const ServerConfig> config);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  struct Progress {
    bool handshake_done = false;
    bool failed = false;          // error() says why; the session is dead
    bool closed_by_peer = false;  // close_notify received: no more data will come
  };
  // Network -> session: ciphertext that arrived, in pieces of any size. Drives the handshake and
  // the records as far as the input allows and appends the decrypted bytes to `plaintext`.
  Progress feed(std::span<const uint8_t> ciphertext, std::vector<uint8_t>& plaintext);
  // Plaintext to send; allowed before the handshake completes (it then waits for it).
  void write(std::span<const uint8_t> plaintext);
  // Session -> network: the bytes to send now (handshake messages, records, alerts).
  std::vector<uint8_t> take_outgoing();
  // Queues close_notify into take_outgoing().
  void close();

  bool handshake_done() const;
  bool failed() const;
  // Why the session failed, e.g. "tls: failed to verify certificate: x509: certificate signed by
  // unknown authority"; empty while it has not.
  const std::string& error() const;
  // Whether the handshake resumed an earlier session (no certificate exchange).
  bool resumed() const;

  struct Impl;

 private:
  explicit Session(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace coredns::tls
