// Building client and server configs from a directive's options (core/tls/tls.h).
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/ssl_ciphersuites.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <sys/stat.h>

#include "core/tls/mbed.h"
#include "core/util/errno_text.h"
#include "core/util/read_file.h"

namespace coredns::tls {
namespace {

// The ECDHE AEAD suites CoreDNS pinned before Go's defaults took over: forward secrecy only.
const int kCiphersuites[] = {
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    0,
};

// PEM parsers want the text NUL-terminated; errors read as Go's os.Open ones.
Result<std::string> read_pem(const std::string& path) {
  std::string text;
  if (const util::FileError failed = util::read_file(path, text))
    return {{}, std::string(failed.op) + " " + path + ": " + go_errno_text(failed.err)};
  return {text, ""};
}

// A bundle may hold certificates mbedTLS cannot parse (the system's does); the ones it can are
// enough, none at all is an error.
std::string load_certs(mbedtls_x509_crt* crt, const std::string& path) {
  auto pem = read_pem(path);
  if (!pem) return pem.error;
  int r = mbedtls_x509_crt_parse(crt, reinterpret_cast<const unsigned char*>(pem.value.c_str()),
                                 pem.value.size() + 1);
  if (r < 0 || crt->version == 0)
    return path + ": no certificate found" + (r < 0 ? " (" + error_text(r) + ")" : "");
  return "";
}

std::string load_key_pair(mbedtls_x509_crt* cert, mbedtls_pk_context* key,
                          const std::string& cert_file, const std::string& key_file) {
  if (auto e = load_certs(cert, cert_file); !e.empty()) return e;
  auto pem = read_pem(key_file);
  if (!pem) return pem.error;
  int r = mbedtls_pk_parse_key(key, reinterpret_cast<const unsigned char*>(pem.value.c_str()),
                               pem.value.size() + 1, nullptr, 0);
  mbedtls_platform_zeroize(pem.value.data(), pem.value.size());
  if (r != 0) return key_file + ": no private key found (" + error_text(r) + ")";
  if (mbedtls_pk_check_pair(&cert->pk, key) != 0)
    return cert_file + ", " + key_file + ": private key does not match public key";
  return "";
}

// The groups Go (and so CoreDNS) offers, in its order. mbedTLS's default list puts secp521r1
// first, and a server picks the first of its own list that the client offers: with OpenSSL or
// GnuTLS clients every handshake paid for P-521, whose ECDHE costs twice P-256's or X25519's
// (measured in docs/tls.md). Certificates on these curves are the only ECDSA ones accepted.
const mbedtls_ecp_group_id kGroups[] = {
    MBEDTLS_ECP_DP_CURVE25519, MBEDTLS_ECP_DP_SECP256R1, MBEDTLS_ECP_DP_SECP384R1,
    MBEDTLS_ECP_DP_SECP521R1,  MBEDTLS_ECP_DP_NONE,
};

std::string load_ca(mbedtls_x509_crt* ca, const std::string& given) {
  std::string path = given.empty() ? system_ca_file() : given;
  if (path.empty()) return "no CA certificates: set SSL_CERT_FILE or install ca-certificates";
  return load_certs(ca, path);
}

}  // namespace

mbedtls_ctr_drbg_context* random_generator() {
  struct Generator {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    Generator() {
      mbedtls_entropy_init(&entropy);
      mbedtls_ctr_drbg_init(&drbg);
      static const char kPersonal[] = "coredns-cpp tls";
      if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
                                reinterpret_cast<const unsigned char*>(kPersonal),
                                sizeof kPersonal - 1) != 0)
        std::abort();  // no entropy source: no TLS is safer than a predictable one
    }
  };
  static Generator* g = new Generator;  // lives to the end: sessions may close during exit
  return &g->drbg;
}

std::string error_text(int code) {
  char buf[200];
  mbedtls_strerror(code, buf, sizeof buf);
  std::string s = buf;
  // "SSL - Processing of the Certificate handshake message failed" -> the part after " - ".
  if (auto dash = s.find(" - "); dash != std::string::npos) s = s.substr(dash + 3);
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

std::string system_ca_file() {
  if (const char* env = std::getenv("SSL_CERT_FILE"); env && *env) return env;
  // Go's crypto/x509 list for Linux, in its order.
  static const char* const kPaths[] = {
      "/etc/ssl/certs/ca-certificates.crt",                 // Debian, Ubuntu, Gentoo, Alpine
      "/etc/pki/tls/certs/ca-bundle.crt",                   // Fedora, RHEL 6
      "/etc/ssl/ca-bundle.pem",                             // OpenSUSE
      "/etc/pki/tls/cacert.pem",                            // OpenELEC
      "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  // CentOS, RHEL 7
      "/etc/ssl/cert.pem",                                  // Alpine, OpenBSD
  };
  for (const char* p : kPaths) {
    struct stat st;
    if (::stat(p, &st) == 0 && S_ISREG(st.st_mode)) return p;
  }
  return "";
}

MbedConfig::MbedConfig() {
  mbedtls_ssl_config_init(&conf);
  mbedtls_x509_crt_init(&ca);
  mbedtls_x509_crt_init(&cert);
  mbedtls_pk_init(&key);
}
MbedConfig::~MbedConfig() {
  mbedtls_ssl_config_free(&conf);
  mbedtls_x509_crt_free(&ca);
  mbedtls_x509_crt_free(&cert);
  mbedtls_pk_free(&key);
}

std::string MbedConfig::set_defaults(int endpoint) {
  int r = mbedtls_ssl_config_defaults(&conf, endpoint, MBEDTLS_SSL_TRANSPORT_STREAM,
                                      MBEDTLS_SSL_PRESET_DEFAULT);
  if (r != 0) return "tls: " + error_text(r);
  mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, random_generator());
  mbedtls_ssl_conf_min_version(&conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
  mbedtls_ssl_conf_ciphersuites(&conf, kCiphersuites);
  mbedtls_ssl_conf_curves(&conf, kGroups);
  // A DNS server has no use for renegotiation, and refusing it closes an attack surface.
  mbedtls_ssl_conf_renegotiation(&conf, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
  return "";
}

ServerConfig::ServerConfig() { mbedtls_ssl_ticket_init(&tickets); }
ServerConfig::~ServerConfig() { mbedtls_ssl_ticket_free(&tickets); }

Result<std::shared_ptr<const ClientConfig>> make_client_config(const ClientOptions& o) {
  if (o.cert_file.empty() != o.key_file.empty())
    return {nullptr, "a client certificate needs both a certificate and a key file"};
  auto c = std::make_shared<ClientConfig>();
  if (auto e = load_ca(&c->ca, o.ca_file); !e.empty()) return {nullptr, e};
  if (!o.cert_file.empty())
    if (auto e = load_key_pair(&c->cert, &c->key, o.cert_file, o.key_file); !e.empty())
      return {nullptr, e};
  if (auto e = c->set_defaults(MBEDTLS_SSL_IS_CLIENT); !e.empty()) return {nullptr, e};
  mbedtls_ssl_conf_authmode(&c->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
  mbedtls_ssl_conf_ca_chain(&c->conf, &c->ca, nullptr);
  mbedtls_ssl_conf_session_tickets(&c->conf, MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
  if (!o.cert_file.empty()) {
    int r = mbedtls_ssl_conf_own_cert(&c->conf, &c->cert, &c->key);
    if (r != 0) return {nullptr, "tls: " + error_text(r)};
  }
  c->server_name = o.server_name;
  return {c, ""};
}

Result<std::shared_ptr<const ServerConfig>> make_server_config(const ServerOptions& o) {
  auto c = std::make_shared<ServerConfig>();
  if (auto e = load_key_pair(&c->cert, &c->key, o.cert_file, o.key_file); !e.empty())
    return {nullptr, e};
  if (o.client_auth != ClientAuth::nocert)
    if (auto e = load_ca(&c->ca, o.client_ca_file); !e.empty()) return {nullptr, e};
  if (auto e = c->set_defaults(MBEDTLS_SSL_IS_SERVER); !e.empty()) return {nullptr, e};
  int r = mbedtls_ssl_conf_own_cert(&c->conf, &c->cert, &c->key);
  if (r != 0) return {nullptr, "tls: " + error_text(r)};
  c->client_auth = o.client_auth;
  switch (o.client_auth) {
    case ClientAuth::nocert: mbedtls_ssl_conf_authmode(&c->conf, MBEDTLS_SSL_VERIFY_NONE); break;
    // Optional and checked by the session after the handshake (core/tls/session.cpp).
    case ClientAuth::request:
    case ClientAuth::verify_if_given:
      mbedtls_ssl_conf_authmode(&c->conf, MBEDTLS_SSL_VERIFY_OPTIONAL);
      break;
    case ClientAuth::require:
    case ClientAuth::require_and_verify:
      mbedtls_ssl_conf_authmode(&c->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
      break;
  }
  if (o.client_auth != ClientAuth::nocert) mbedtls_ssl_conf_ca_chain(&c->conf, &c->ca, nullptr);
  // RFC 5077 tickets let a returning client skip the certificate exchange; the key rotates
  // every ticket lifetime (one hour).
  r = mbedtls_ssl_ticket_setup(&c->tickets, mbedtls_ctr_drbg_random, random_generator(),
                               MBEDTLS_CIPHER_AES_256_GCM, 3600);
  if (r != 0) return {nullptr, "tls: " + error_text(r)};
  mbedtls_ssl_conf_session_tickets_cb(&c->conf, mbedtls_ssl_ticket_write, mbedtls_ssl_ticket_parse,
                                      &c->tickets);
  return {c, ""};
}

std::string verify_flags_text(uint32_t flags, const std::string& name) {
  std::string why;
  if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
    why = "certificate signed by unknown authority";
  else if (flags & (MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE))
    why = "certificate has expired or is not yet valid";
  else if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH)
    why = "certificate is not valid for " + name;
  else if (flags & MBEDTLS_X509_BADCERT_MISSING)
    why = "no certificate";
  else if (flags & MBEDTLS_X509_BADCERT_REVOKED)
    why = "certificate revoked";
  else if (flags & (MBEDTLS_X509_BADCERT_KEY_USAGE | MBEDTLS_X509_BADCERT_EXT_KEY_USAGE |
                    MBEDTLS_X509_BADCERT_NS_CERT_TYPE))
    why = "certificate specifies an incompatible key usage";
  else if (flags & (MBEDTLS_X509_BADCERT_BAD_MD | MBEDTLS_X509_BADCERT_BAD_PK |
                    MBEDTLS_X509_BADCERT_BAD_KEY))
    why = "certificate signed with an unacceptable algorithm or key";
  else
    why = "certificate verification failed (flags 0x" + [&] {
      char b[16];
      std::snprintf(b, sizeof b, "%x", flags);
      return std::string(b);
    }() + ")";
  return "x509: " + why;
}

}  // namespace coredns::tls
