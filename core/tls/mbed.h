#pragma once
// The mbedTLS side of core/tls/tls.h, shared by its .cpp files only: what an opaque config
// holds, and the texts of mbedTLS's errors and verification flags.
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ticket.h>
#include <mbedtls/x509_crt.h>

#include <string>

#include "core/tls/tls.h"

namespace coredns::tls {

// One generator for every session: mbedTLS is built with MBEDTLS_THREADING_C, so it carries
// its own lock.
mbedtls_ctr_drbg_context* random_generator();

// What a client and a server config share: mbedTLS's config, the CAs that verify the peer, and
// our own certificate and key (the client's is optional).
class MbedConfig {
 public:
  MbedConfig();
  ~MbedConfig();
  MbedConfig(const MbedConfig&) = delete;
  MbedConfig& operator=(const MbedConfig&) = delete;
  // mbedTLS's defaults for `endpoint` (MBEDTLS_SSL_IS_CLIENT or _SERVER), then the rules both
  // sides follow (docs/tls.md); an error text, empty on success.
  std::string set_defaults(int endpoint);

  mbedtls_ssl_config conf;
  mbedtls_x509_crt ca;
  mbedtls_x509_crt cert;
  mbedtls_pk_context key;
};

class ClientConfig : public MbedConfig {
 public:
  std::string server_name;
};

class ServerConfig : public MbedConfig {
 public:
  ServerConfig();
  ~ServerConfig();
  mbedtls_ssl_ticket_context tickets;
  ClientAuth client_auth = ClientAuth::nocert;
};

// "x509: certificate signed by unknown authority" and the like for mbedTLS's verify flags, in
// the words Go (and so CoreDNS's logs) uses; `name` is what was checked against the certificate.
std::string verify_flags_text(uint32_t flags, const std::string& name);
// mbedTLS's own text for an error code, lower case, without its module prefix.
std::string error_text(int code);

}  // namespace coredns::tls
