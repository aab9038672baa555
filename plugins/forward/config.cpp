#include "plugins/forward/config.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <cctype>
#include <map>
#include <fmt/format.h>

#include "core/plugin/zones.h"
#include "core/dns/types.h"
#include "core/util/errno_text.h"
#include "core/util/error.h"
#include "core/util/go_quote.h"
#include "core/util/go_strconv.h"
#include "plugins/forward/to_address.h"

namespace coredns::plugins::forward {
namespace {

// Go's strconv.ParseUint(text, 10, 32) with its error text, which CoreDNS passes through.
uint32_t parse_uint32(std::string_view text) {
  bool ok = !text.empty() && text.size() <= 10;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      ok = false;
      break;
    }
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (!ok) throw ConfigError(fmt::format("strconv.ParseUint: parsing {}: invalid syntax", go_quote(text)));
  if (v > 0xFFFFFFFFull)
    throw ConfigError(fmt::format("strconv.ParseUint: parsing {}: value out of range", go_quote(text)));
  return static_cast<uint32_t>(v);
}

dns::Name normalize_name(const std::string& text) {
  dns::Name n;
  if (!dns::Name::from_text(text, n)) throw ConfigError(fmt::format("unable to normalize '{}'", text));
  n.to_lower();
  return n;
}

void no_more_args(corefile::Dispenser& d) {
  if (d.next_arg()) throw d.arg_err();
}

const std::string& one_arg(corefile::Dispenser& d) {
  if (!d.next_arg()) throw d.arg_err();
  return d.val();
}

RcodeSet parse_rcodes(corefile::Dispenser& d, bool failover) {
  auto args = d.remaining_args();
  if (args.empty()) throw d.arg_err();
  RcodeSet set;
  for (const std::string& a : args) {
    std::string upper;
    for (char c : a) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    uint16_t rc = 0;
    // miekg/dns also knows BADSIG, the TSIG name of 16.
    if (upper == "BADSIG") upper = "BADVERS";
    if (!dns::parse_rcode(upper, rc) || rc >= set.size())
      throw ConfigError(fmt::format("{} is not a valid rcode", a));
    if (failover && rc == dns::rcode::NOERROR)
      throw ConfigError("NoError cannot be used in failover");
    set.set(rc);
  }
  return set;
}

bool parse_ip_text(const std::string& text, sockaddr_storage& out) {
  out = {};
  auto* s4 = reinterpret_cast<sockaddr_in*>(&out);
  auto* s6 = reinterpret_cast<sockaddr_in6*>(&out);
  if (inet_pton(AF_INET, text.c_str(), &s4->sin_addr) == 1) {
    s4->sin_family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), &s6->sin6_addr) == 1) {
    // Go stores ::ffff:a.b.c.d as the IPv4 address.
    if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
      in_addr v4;
      std::memcpy(&v4, &s6->sin6_addr.s6_addr[12], 4);
      out = {};
      s4->sin_family = AF_INET;
      s4->sin_addr = v4;
      return true;
    }
    s6->sin6_family = AF_INET6;
    return true;
  }
  return false;
}

void parse_health_check(corefile::Dispenser& d, ForwardConfig& f) {
  const Duration dur = parse_duration(one_arg(d));
  if (dur < Duration::zero())
    throw ConfigError(fmt::format("health_check can't be negative: {}", format_duration(dur)));
  f.health_check = dur;
  while (d.next_arg()) {
    const std::string opt = d.val();
    if (opt == "no_rec") {
      f.health_check_rd = false;
    } else if (opt == "domain") {
      const std::string& domain = one_arg(d);
      dns::Name n;
      if (!dns::Name::from_text(domain, n))
        throw ConfigError(fmt::format("health_check: invalid domain name {}", domain));
      f.health_check_domain = n;
    } else {
      throw ConfigError(fmt::format("health_check: unknown option {}", opt));
    }
  }
}

void check_tls_files(const std::vector<std::string>& files) {
  for (const std::string& file : files)
    if (access(file.c_str(), R_OK) != 0)
      throw ConfigError(fmt::format("open {}: {}", file, go_errno_text(errno)));
}

void parse_property(corefile::Dispenser& d, ForwardConfig& f) {
  const std::string key = d.val();
  if (key == "except") {
    auto names = d.remaining_args();
    if (names.empty()) throw d.arg_err();
    for (const std::string& n : names) {
      auto zones = normalize_host_exact(n);
      if (zones.empty()) throw ConfigError(fmt::format("unable to normalize '{}'", n));
      for (const auto& z : zones) f.except.push_back(normalize_name(z));
    }
  } else if (key == "force_tcp") {
    no_more_args(d);
    f.force_tcp = true;
  } else if (key == "prefer_udp") {
    no_more_args(d);
    f.prefer_udp = true;
  } else if (key == "max_fails") {
    f.max_fails = parse_uint32(one_arg(d));
  } else if (key == "max_connect_attempts") {
    f.max_connect_attempts = parse_uint32(one_arg(d));
  } else if (key == "health_check") {
    parse_health_check(d, f);
  } else if (key == "tls") {
    auto args = d.remaining_args();
    if (args.size() > 3) throw d.arg_err();
    check_tls_files(args);
    f.tls_files = args;
  } else if (key == "tls_servername") {
    f.tls_servername = one_arg(d);
  } else if (key == "expire") {
    const Duration dur = parse_duration(one_arg(d));
    if (dur < Duration::zero())
      throw ConfigError(fmt::format("expire can't be negative: {}", format_duration(dur)));
    f.expire = dur;
  } else if (key == "max_age") {
    const Duration dur = parse_duration(one_arg(d));
    if (dur < Duration::zero())
      throw ConfigError(fmt::format("max_age can't be negative: {}", format_duration(dur)));
    f.max_age = dur;
  } else if (key == "max_idle_conns") {
    const int64_t n = go_atoi(one_arg(d));
    if (n < 0) throw ConfigError(fmt::format("max_idle_conns can't be negative: {}", n));
    f.max_idle_conns = static_cast<int>(n);
  } else if (key == "read_timeout") {
    const Duration dur = parse_duration(one_arg(d));
    if (dur <= Duration::zero())
      throw ConfigError(fmt::format("read_timeout must be positive: {}", format_duration(dur)));
    f.read_timeout = dur;
  } else if (key == "policy") {
    const std::string& p = one_arg(d);
    if (p == "random") f.policy = Policy::random;
    else if (p == "round_robin") f.policy = Policy::round_robin;
    else if (p == "sequential") f.policy = Policy::sequential;
    else throw d.err(fmt::format("unknown policy '{}'", p));
  } else if (key == "max_concurrent") {
    const int64_t n = go_atoi(one_arg(d));
    if (n < 0) throw ConfigError(fmt::format("max_concurrent can't be negative: {}", n));
    f.max_concurrent = n;
  } else if (key == "next") {
    f.next = parse_rcodes(d, false);
  } else if (key == "failover") {
    f.failover = parse_rcodes(d, true);
  } else if (key == "next_on_nodata") {
    no_more_args(d);
    f.next_on_nodata = true;
  } else if (key == "failfast_all_unhealthy_upstreams") {
    no_more_args(d);
    f.failfast_all_unhealthy = true;
  } else if (key == "doh_method") {
    const std::string& m = one_arg(d);
    if (m != "GET" && m != "POST") throw ConfigError("doh_method must be either POST or GET");
    f.doh_get = m == "GET";
  } else if (key == "source_address") {
    const std::string& ip = one_arg(d);
    sockaddr_storage ss;
    if (!parse_ip_text(ip, ss)) throw ConfigError(fmt::format("invalid IP address: {}", ip));
    f.source_address = ss;
  } else if (key == "resolver") {
    auto args = d.remaining_args();
    if (args.empty()) throw d.arg_err();
    for (const std::string& r : args) {
      sockaddr_storage ss;
      if (!parse_ip_port(r, 53, false, ss, nullptr))
        throw ConfigError(fmt::format("resolver must be an IP address or IP:port: {}", r));
      f.resolvers.push_back(address_text(ss));
    }
  } else {
    throw d.err(fmt::format("unknown property '{}'", key));
  }
}

}  // namespace

ForwardConfig parse_forward(corefile::Dispenser& d, ParseNotes& notes) {
  ForwardConfig f;
  if (!d.next_arg()) throw d.arg_err();
  const std::string from = d.val();
  auto zones = normalize_host_exact(from);
  if (zones.empty()) throw ConfigError(fmt::format("unable to normalize '{}'", from));
  if (zones.size() > 1)
    notes.warnings.push_back(fmt::format(
        "Unsupported CIDR notation: '{}' expands to multiple zones. Using only '{}'.", from,
        zones[0]));
  f.from_text = zones[0];
  f.from = normalize_name(zones[0]);

  auto to = d.remaining_args();
  if (to.empty()) throw d.arg_err();

  while (d.next_block()) parse_property(d, f);

  if (f.max_age > Duration::zero() && f.max_age < f.expire)
    throw ConfigError(fmt::format("max_age ({}) must not be less than expire ({})",
                                  format_duration(f.max_age), format_duration(f.expire)));

  f.to = expand_to(to, f.resolvers);
  if (f.to.size() > kMaxUpstreams)
    throw ConfigError(fmt::format("more than {} TOs configured: {}", kMaxUpstreams, f.to.size()));
  for (const auto& u : f.to)
    if (!f.tls_servername.empty() && !u.tls_servername.empty())
      throw ConfigError(fmt::format(
          "both forward ({}) and proxy level ({}) TLS servernames are set for upstream {}",
          f.tls_servername, u.tls_servername, u.text));
  return f;
}

std::vector<std::shared_ptr<const tls::ClientConfig>> tls_configs(const ForwardConfig& f) {
  std::vector<std::shared_ptr<const tls::ClientConfig>> out(f.to.size());
  tls::ClientOptions base;
  // CoreDNS's `tls` forms: CA; CERT KEY; CERT KEY CA.
  const auto& a = f.tls_files;
  if (a.size() == 1) base.ca_file = a[0];
  if (a.size() >= 2) base.cert_file = a[0], base.key_file = a[1];
  if (a.size() == 3) base.ca_file = a[2];
  std::map<std::string, std::shared_ptr<const tls::ClientConfig>> by_name;
  for (size_t i = 0; i < f.to.size(); ++i) {
    if (f.to[i].scheme != Scheme::tls) continue;
    const std::string& name = f.to[i].tls_servername.empty() ? f.tls_servername
                                                             : f.to[i].tls_servername;
    auto& config = by_name[name];
    if (!config) {
      tls::ClientOptions o = base;
      o.server_name = name;
      auto r = tls::make_client_config(o);
      if (!r) throw ConfigError(r.error);
      config = r.value;
    }
    out[i] = config;
  }
  return out;
}

}  // namespace coredns::plugins::forward
