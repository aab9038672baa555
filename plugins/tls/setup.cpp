#include <cerrno>
#include <cstdio>

#include "core/plugin/registry.h"
#include "core/plugin/setup.h"
#include "core/util/errno_text.h"
#include "plugins/tls/layer.h"

namespace coredns::plugins {
namespace {

namespace ctls = coredns::tls;

struct TlsLine {
  std::string cert, key, ca;
  ctls::ClientAuth client_auth = ctls::ClientAuth::nocert;
};

ctls::ClientAuth parse_client_auth(corefile::Dispenser& d) {
  std::vector<std::string> v = d.remaining_args();
  if (v.size() != 1) throw d.arg_err();
  if (v[0] == "nocert") return ctls::ClientAuth::nocert;
  if (v[0] == "request") return ctls::ClientAuth::request;
  if (v[0] == "require") return ctls::ClientAuth::require;
  if (v[0] == "verify_if_given") return ctls::ClientAuth::verify_if_given;
  if (v[0] == "require_and_verify") return ctls::ClientAuth::require_and_verify;
  throw d.err("unknown authentication type '" + v[0] + "'");
}

// One `tls CERT KEY [CA] { ... }` line; the cursor is on `tls`.
TlsLine parse_line(corefile::Dispenser& d) {
  TlsLine line;
  std::vector<std::string> args = d.remaining_args();
  // Without arguments CoreDNS gets its certificate by ACME, which this build does not do.
  if (args.empty())
    throw d.err("tls without CERT and KEY (ACME) is not supported by this build");
  // CoreDNS wraps the directive line's errors twice.
  if (args.size() > 3 || args.size() < 2)
    throw ConfigError(std::string("plugin/tls: ") + d.arg_err().what());
  line.cert = args[0];
  line.key = args[1];
  if (args.size() == 3) line.ca = args[2];
  while (d.next_block()) {
    const std::string option = d.val();
    if (option == "client_auth") {
      line.client_auth = parse_client_auth(d);
    } else if (option == "keylog") {
      if (d.remaining_args().size() != 1) throw d.arg_err();
      throw d.err("keylog is not supported by this build");
    } else {
      throw d.err("unknown option '" + option + "'");
    }
  }
  return line;
}

// CoreDNS reads the CA even when no client certificate is asked for.
void check_readable(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f)
    throw ConfigError("error reading " + path + ": open " + path + ": " + go_errno_text(errno));
  std::fclose(f);
}

std::shared_ptr<const ctls::ServerConfig> load(const TlsLine& line) {
  auto r = ctls::make_server_config({.cert_file = line.cert, .key_file = line.key,
                                     .client_ca_file = line.ca, .client_auth = line.client_auth});
  if (!r) {
    // CoreDNS loads the key pair first, then the CA: tell the two apart as it does.
    const bool ca_error = !line.ca.empty() && r.error.find(line.ca) != std::string::npos &&
                          r.error.find(line.cert) == std::string::npos &&
                          r.error.find(line.key) == std::string::npos;
    if (!ca_error) throw ConfigError("could not load TLS cert: " + r.error);
    if (r.error.starts_with("open ") || r.error.starts_with("read "))
      throw ConfigError("error reading " + line.ca + ": " + r.error);
    throw ConfigError("could not read root certs: " + r.error);
  }
  if (!line.ca.empty()) check_readable(line.ca);
  return r.value;
}

void setup(SetupContext& c) {
  // A second tls line in the block replaces the first, as in CoreDNS.
  TlsLine line;
  while (c.d.next()) line = parse_line(c.d);
  // Read now, at every setup: a reload picks up renewed certificate files, and a broken one
  // fails the reload, which keeps the running configuration serving.
  c.block().stream_layer = std::make_shared<tls::TlsLayerFactory>(load(line));
}

}  // namespace

const PluginDef& plugin_tls() {
  static const PluginDef def{setup};
  return def;
}

}  // namespace coredns::plugins
