#pragma once
// Certificates for unit tests of TLS code: tests/e2e/harness/tls_certs.py's standard set (a CA
// with server, expired, noip and client certificates; an untrusted CA with other and
// other-client), made once per test binary in a temp directory and removed at exit. The target
// defines TLS_CERTS_PY, the script's path.
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace coredns::testing {

class TlsCerts {
 public:
  // "server.pem" -> its path.
  static std::string path(const char* name) { return dir() + "/" + name; }
  static const std::string& dir() {
    static const TlsCerts certs;
    return certs.dir_;
  }

 private:
  TlsCerts() {
    char tmpl[] = "/tmp/tls-certs-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    const std::string cmd = std::string("python3 ") + TLS_CERTS_PY + " " + dir_;
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("failed: " + cmd);
  }
  ~TlsCerts() { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

}  // namespace coredns::testing
