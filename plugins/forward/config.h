#pragma once
// The `forward` directive as CoreDNS reads it (CoreDNS's plugin/forward/setup.go and README.md):
// one ForwardConfig per occurrence in a server block. Parsing is separate from the handler so every
// accepted and rejected form can be tested without a server.
#include <netinet/in.h>
#include <sys/socket.h>

#include <bitset>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/corefile/dispenser.h"
#include "core/dns/name.h"
#include "core/tls/tls.h"
#include "core/util/duration.h"

namespace coredns::plugins::forward {

using namespace std::chrono_literals;

enum class Scheme : uint8_t { dns, tls, https };

// One upstream after TO expansion.
struct UpstreamSpec {
  Scheme scheme = Scheme::dns;
  sockaddr_storage addr{};  // port and, for link-local IPv6, scope id set
  // "127.0.0.1:53", "[::1]:53", "[fe80::1%eth0]:53": the metrics' `to` label and log text.
  std::string text;
  std::string tls_servername;  // tls://IP%NAME
};

enum class Policy : uint8_t { random, round_robin, sequential };

// A set of rcodes (0..4095, as miekg/dns's table reaches BADCOOKIE = 23).
using RcodeSet = std::bitset<24>;

struct ForwardConfig {
  dns::Name from;  // lower-cased, fully qualified
  std::string from_text;
  std::vector<dns::Name> except;  // lower-cased
  std::vector<UpstreamSpec> to;

  bool force_tcp = false;
  bool prefer_udp = false;
  Duration expire = 10s;
  Duration max_age = 0s;
  int max_idle_conns = 0;
  Duration read_timeout = 2s;
  uint32_t max_fails = 2;
  std::optional<uint32_t> max_connect_attempts;  // default: 2 x number of upstreams
  std::vector<std::string> tls_files;            // CERT KEY CA, 0 to 3 of them
  std::string tls_servername;
  Policy policy = Policy::random;
  Duration health_check = 500ms;
  bool health_check_rd = true;
  dns::Name health_check_domain;  // "." by default
  int64_t max_concurrent = 0;
  RcodeSet next;
  bool next_on_nodata = false;
  bool failfast_all_unhealthy = false;
  RcodeSet failover;
  std::optional<sockaddr_storage> source_address;
  std::vector<std::string> resolvers;  // for hostname TOs, "IP:port"
  bool doh_get = false;

  uint32_t attempt_cap() const {
    return max_connect_attempts ? *max_connect_attempts : static_cast<uint32_t>(2 * to.size());
  }
};

// Warnings to log at setup (a CIDR FROM that expands to several zones).
struct ParseNotes {
  std::vector<std::string> warnings;
};

// Parses one `forward` occurrence; the dispenser is positioned on the directive name. Throws
// ConfigError with CoreDNS's text (the core adds "plugin/forward: ").
ForwardConfig parse_forward(corefile::Dispenser& d, ParseNotes& notes);

// The TLS client config of each upstream (null for a plain one) from `tls` and the server names:
// upstreams with the same name share one. Throws ConfigError naming the file that failed.
std::vector<std::shared_ptr<const tls::ClientConfig>> tls_configs(const ForwardConfig& f);

// The largest number of upstreams one forward accepts.
inline constexpr size_t kMaxUpstreams = 15;

}  // namespace coredns::plugins::forward
