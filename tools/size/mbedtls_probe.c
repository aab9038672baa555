/* What a DNS-over-TLS client needs from mbedTLS, linked statically to measure the bytes the TLS
 * library adds to a binary (tools/check-size.sh --measure-reserve). Never run: it only has to
 * reference what the client will: a TLS 1.2 client context with the default ciphersuites, the
 * CA bundle parsed from a PEM file, certificate verification with a host name, the entropy
 * source and CTR-DRBG, and the record layer's read and write over the caller's own I/O (the
 * server does its own socket I/O; mbedTLS's net_sockets would pull in getaddrinfo). Built
 * without MBEDTLS_PROBE it is the empty baseline. */
#include <stddef.h>

#ifdef MBEDTLS_PROBE
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

static int send_cb(void* ctx, const unsigned char* p, size_t n) { return ((int (*)(const void*, size_t))ctx)(p, n); }
static int recv_cb(void* ctx, unsigned char* p, size_t n) { return ((int (*)(void*, size_t))ctx)(p, n); }

int main(int argc, char** argv) {
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;
  mbedtls_x509_crt ca;
  mbedtls_ssl_config conf;
  mbedtls_ssl_context ssl;
  unsigned char buf[512];
  mbedtls_entropy_init(&entropy);
  mbedtls_ctr_drbg_init(&drbg);
  mbedtls_x509_crt_init(&ca);
  mbedtls_ssl_config_init(&conf);
  mbedtls_ssl_init(&ssl);
  if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, NULL, 0) != 0) return 1;
  if (mbedtls_x509_crt_parse_file(&ca, argc > 1 ? argv[1] : "/etc/ssl/certs/ca-certificates.crt") < 0) return 1;
  mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
  mbedtls_ssl_conf_authmode(&conf, MBEDTLS_SSL_VERIFY_REQUIRED);
  mbedtls_ssl_conf_ca_chain(&conf, &ca, NULL);
  mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &drbg);
  if (mbedtls_ssl_setup(&ssl, &conf) != 0) return 1;
  mbedtls_ssl_set_hostname(&ssl, "dns.example");
  mbedtls_ssl_set_bio(&ssl, argv[0], send_cb, recv_cb, NULL);
  if (mbedtls_ssl_handshake(&ssl) != 0) return 1;
  if (mbedtls_ssl_get_verify_result(&ssl) != 0) return 1;
  mbedtls_ssl_write(&ssl, buf, 12);
  mbedtls_ssl_read(&ssl, buf, sizeof buf);
  mbedtls_ssl_close_notify(&ssl);
  mbedtls_ssl_free(&ssl);
  mbedtls_ssl_config_free(&conf);
  mbedtls_x509_crt_free(&ca);
  return 0;
}
#else
int main(void) { return 0; }
#endif
