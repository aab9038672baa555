// The sans-I/O TLS session (core/tls/tls.h) over mbedTLS: its BIO callbacks read from the bytes
// fed in and append to the bytes to send, so mbedTLS never sees a socket and "would block" only
// means "feed me more".
#include <arpa/inet.h>
#include <mbedtls/asn1.h>
#include <mbedtls/ssl_internal.h>  // ssl.handshake->resume: 2.28 has no public accessor

#include <cstring>
#include <mutex>

#include "core/tls/mbed.h"

namespace coredns::tls {

struct ResumptionCache::State {
  std::mutex mu;
  mbedtls_ssl_session session;
  bool has = false;
  State() { mbedtls_ssl_session_init(&session); }
  ~State() { mbedtls_ssl_session_free(&session); }
};

ResumptionCache::ResumptionCache() : state_(std::make_unique<State>()) {}
ResumptionCache::~ResumptionCache() = default;

namespace {

// An IP address in its 4- or 16-byte form; size 0 if `text` is not one.
struct IpBytes {
  uint8_t b[16];
  size_t size = 0;
};
IpBytes parse_ip(const std::string& text) {
  IpBytes ip;
  if (inet_pton(AF_INET, text.c_str(), ip.b) == 1) ip.size = 4;
  else if (inet_pton(AF_INET6, text.c_str(), ip.b) == 1) ip.size = 16;
  return ip;
}

// subjectAltName iPAddress entries (RFC 5280 4.2.1.6: context tag [7], the raw address).
bool has_ip_san(const mbedtls_x509_crt& crt, const IpBytes& ip) {
  for (const mbedtls_x509_sequence* s = &crt.subject_alt_names; s && s->buf.p; s = s->next)
    if (s->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7) && s->buf.len == ip.size &&
        std::memcmp(s->buf.p, ip.b, ip.size) == 0)
      return true;
  return false;
}

const char* alert_text(unsigned char code) {
  switch (code) {
    case MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE: return "handshake failure";
    case MBEDTLS_SSL_ALERT_MSG_BAD_CERT: return "bad certificate";
    case MBEDTLS_SSL_ALERT_MSG_UNSUPPORTED_CERT: return "unsupported certificate";
    case MBEDTLS_SSL_ALERT_MSG_CERT_EXPIRED: return "expired certificate";
    case MBEDTLS_SSL_ALERT_MSG_CERT_UNKNOWN: return "unknown certificate";
    case MBEDTLS_SSL_ALERT_MSG_UNKNOWN_CA: return "unknown certificate authority";
    case MBEDTLS_SSL_ALERT_MSG_ACCESS_DENIED: return "access denied";
    case MBEDTLS_SSL_ALERT_MSG_DECODE_ERROR: return "error decoding message";
    case MBEDTLS_SSL_ALERT_MSG_DECRYPT_ERROR: return "error decrypting message";
    case MBEDTLS_SSL_ALERT_MSG_PROTOCOL_VERSION: return "protocol version not supported";
    case MBEDTLS_SSL_ALERT_MSG_INSUFFICIENT_SECURITY: return "insufficient security level";
    case MBEDTLS_SSL_ALERT_MSG_INTERNAL_ERROR: return "internal error";
    case MBEDTLS_SSL_ALERT_MSG_UNRECOGNIZED_NAME: return "unrecognized name";
    case 116: return "certificate required";  // RFC 8446 6.2
    default: return nullptr;
  }
}

}  // namespace

struct Session::Impl {
  mbedtls_ssl_context ssl;
  std::shared_ptr<const ClientConfig> client;
  std::shared_ptr<const ServerConfig> server;
  std::shared_ptr<ResumptionCache> resume;
  std::string verify_name;  // what the certificate was checked against, for error texts
  IpBytes peer_ip;          // the IP SAN that must be present (client without server name)
  std::vector<uint8_t> in;  // ciphertext fed, not yet read by mbedTLS
  size_t in_pos = 0;
  std::vector<uint8_t> out;
  std::vector<uint8_t> pending;  // plaintext written before the handshake completed
  bool ready = false;  // mbedtls_ssl_setup succeeded
  bool done = false, dead = false, peer_closed = false, resumed = false;
  std::string error;

  Impl() { mbedtls_ssl_init(&ssl); }
  ~Impl() { mbedtls_ssl_free(&ssl); }

  static int bio_send(void* self, const unsigned char* p, size_t n) {
    auto* s = static_cast<Impl*>(self);
    s->out.insert(s->out.end(), p, p + n);
    return static_cast<int>(n);
  }
  static int bio_recv(void* self, unsigned char* p, size_t n) {
    auto* s = static_cast<Impl*>(self);
    size_t have = s->in.size() - s->in_pos;
    if (have == 0) return MBEDTLS_ERR_SSL_WANT_READ;
    n = std::min(n, have);
    std::memcpy(p, s->in.data() + s->in_pos, n);
    s->in_pos += n;
    if (s->in_pos == s->in.size()) {
      s->in.clear();
      s->in_pos = 0;
    }
    return static_cast<int>(n);
  }
  // Client without a server name: Go's rule, the dialled address must be an IP SAN.
  static int verify_ip(void* self, mbedtls_x509_crt* crt, int depth, uint32_t* flags) {
    auto* s = static_cast<Impl*>(self);
    if (depth == 0 && !has_ip_san(*crt, s->peer_ip)) *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
    return 0;
  }
  // client_auth require: a certificate must come, whoever signed it.
  static int accept_any(void*, mbedtls_x509_crt*, int, uint32_t* flags) {
    *flags = 0;
    return 0;
  }

  void fail(int code) {
    dead = true;
    // mbedTLS alerts the peer itself for a certificate it refused; for the rest (a missing
    // client certificate, garbage, a policy checked after the handshake) tell the peer here so
    // that it fails at once instead of waiting for a reply that never comes.
    if (ready && code != MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE &&
        code != MBEDTLS_ERR_X509_CERT_VERIFY_FAILED && code != MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY)
      mbedtls_ssl_send_alert_message(&ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL,
                                     code == MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE
                                         ? MBEDTLS_SSL_ALERT_MSG_BAD_CERT
                                         : MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE);
    if (code == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
      error = std::string(client ? "tls: failed to verify certificate: "
                                 : "tls: failed to verify client certificate: ") +
              verify_flags_text(mbedtls_ssl_get_verify_result(&ssl), verify_name);
    } else if (code == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE && ssl.in_msg &&
               alert_text(ssl.in_msg[1])) {
      error = std::string("remote error: tls: ") + alert_text(ssl.in_msg[1]);
    } else {
      error = "tls: " + error_text(code);
    }
    if (client && resume) {
      std::lock_guard lock(resume->state_->mu);
      mbedtls_ssl_session_free(&resume->state_->session);
      mbedtls_ssl_session_init(&resume->state_->session);
      resume->state_->has = false;
    }
  }

  void handshake() {
    while (ssl.state != MBEDTLS_SSL_HANDSHAKE_OVER) {
      if (ssl.handshake && ssl.handshake->resume) resumed = true;
      int r = mbedtls_ssl_handshake_step(&ssl);
      if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE) return;
      if (r != 0) return fail(r);
    }
    done = true;
    if (server && server->client_auth == ClientAuth::verify_if_given) {
      uint32_t flags = mbedtls_ssl_get_verify_result(&ssl);
      if (flags != 0 && !(flags & MBEDTLS_X509_BADCERT_MISSING)) {
        mbedtls_ssl_send_alert_message(&ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL,
                                       MBEDTLS_SSL_ALERT_MSG_BAD_CERT);
        return fail(MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
      }
    }
    if (client && resume) {
      mbedtls_ssl_session s;
      mbedtls_ssl_session_init(&s);
      if (mbedtls_ssl_get_session(&ssl, &s) == 0) {
        std::lock_guard lock(resume->state_->mu);
        mbedtls_ssl_session_free(&resume->state_->session);
        resume->state_->session = s;  // takes over its buffers
        resume->state_->has = true;
      } else {
        mbedtls_ssl_session_free(&s);
      }
    }
    if (!pending.empty()) {
      std::vector<uint8_t> p;
      p.swap(pending);
      encrypt(p);
    }
  }

  void encrypt(std::span<const uint8_t> p) {
    while (!p.empty() && !dead) {
      int r = mbedtls_ssl_write(&ssl, p.data(), p.size());
      if (r < 0) return fail(r);  // the BIO takes everything, so never WANT_WRITE
      p = p.subspan(static_cast<size_t>(r));
    }
  }

  void read_records(std::vector<uint8_t>& plaintext) {
    unsigned char buf[16384];
    while (!dead && !peer_closed) {
      int r = mbedtls_ssl_read(&ssl, buf, sizeof buf);
      if (r > 0) {
        plaintext.insert(plaintext.end(), buf, buf + r);
      } else if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE) {
        return;
      } else if (r == 0 || r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
        peer_closed = true;
      } else {
        fail(r);
      }
    }
  }
};

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::~Session() = default;

std::unique_ptr<Session> Session::client(std::shared_ptr<const ClientConfig> config,
                                         std::string_view peer_ip,
                                         std::shared_ptr<ResumptionCache> resume) {
  auto impl = std::make_unique<Impl>();
  Impl& s = *impl;
  s.client = std::move(config);
  s.resume = std::move(resume);
  int r = mbedtls_ssl_setup(&s.ssl, &s.client->conf);
  s.ready = r == 0;
  if (r == 0) {
    const std::string& name = s.client->server_name;
    // An IP literal as the name is checked against IP SANs and sends no SNI (RFC 6066 3).
    IpBytes as_ip = parse_ip(name);
    if (!name.empty() && as_ip.size == 0) {
      r = mbedtls_ssl_set_hostname(&s.ssl, name.c_str());
      s.verify_name = name;
    } else {
      s.verify_name = name.empty() ? std::string(peer_ip) : name;
      s.peer_ip = name.empty() ? parse_ip(s.verify_name) : as_ip;
      mbedtls_ssl_set_verify(&s.ssl, &Impl::verify_ip, &s);
    }
  }
  mbedtls_ssl_set_bio(&s.ssl, &s, &Impl::bio_send, &Impl::bio_recv, nullptr);
  if (r == 0 && s.resume) {
    std::lock_guard lock(s.resume->state_->mu);
    if (s.resume->state_->has) mbedtls_ssl_set_session(&s.ssl, &s.resume->state_->session);
  }
  if (r != 0) s.fail(r);
  else s.handshake();
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

std::unique_ptr<Session> Session::server(std::shared_ptr<const ServerConfig> config) {
  auto impl = std::make_unique<Impl>();
  Impl& s = *impl;
  s.server = std::move(config);
  int r = mbedtls_ssl_setup(&s.ssl, &s.server->conf);
  s.ready = r == 0;
  mbedtls_ssl_set_bio(&s.ssl, &s, &Impl::bio_send, &Impl::bio_recv, nullptr);
  if (s.server->client_auth == ClientAuth::request || s.server->client_auth == ClientAuth::require)
    mbedtls_ssl_set_verify(&s.ssl, &Impl::accept_any, nullptr);
  if (r != 0) s.fail(r);
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

Session::Progress Session::feed(std::span<const uint8_t> ciphertext,
                                std::vector<uint8_t>& plaintext) {
  Impl& s = *impl_;
  Progress p;
  if (s.dead) {
    p.failed = true;
    return p;
  }
  s.in.insert(s.in.end(), ciphertext.begin(), ciphertext.end());
  if (!s.done) s.handshake();
  if (s.done) s.read_records(plaintext);
  p.handshake_done = s.done;
  p.failed = s.dead;
  p.closed_by_peer = s.peer_closed;
  return p;
}

void Session::write(std::span<const uint8_t> plaintext) {
  Impl& s = *impl_;
  if (s.dead) return;
  if (!s.done) s.pending.insert(s.pending.end(), plaintext.begin(), plaintext.end());
  else s.encrypt(plaintext);
}

std::vector<uint8_t> Session::take_outgoing() {
  std::vector<uint8_t> out;
  out.swap(impl_->out);
  return out;
}

void Session::close() {
  if (!impl_->dead && impl_->ready) mbedtls_ssl_close_notify(&impl_->ssl);
}

bool Session::handshake_done() const { return impl_->done; }
bool Session::failed() const { return impl_->dead; }
const std::string& Session::error() const { return impl_->error; }
bool Session::resumed() const { return impl_->resumed; }

}  // namespace coredns::tls
