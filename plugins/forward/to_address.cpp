#include "plugins/forward/to_address.h"

#include <arpa/inet.h>
#include <net/if.h>

#include <algorithm>
#include <cstring>
#include <fmt/format.h>

#include "core/util/error.h"
#include "core/util/go_quote.h"
#include "plugins/forward/resolve_host.h"

namespace coredns::plugins::forward {
namespace {

bool parse_port(std::string_view text, uint16_t& port) {
  if (text.empty() || text.size() > 5) return false;
  uint32_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  if (v > 65535) return false;
  port = static_cast<uint16_t>(v);
  return true;
}

// An IPv6 zone is an interface name or index; the scope id is what the kernel needs.
bool zone_to_scope(const std::string& zone, uint32_t& scope) {
  if (zone.empty()) return false;
  if (std::all_of(zone.begin(), zone.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    scope = static_cast<uint32_t>(std::stoul(zone));
    return true;
  }
  scope = if_nametoindex(zone.c_str());
  return scope != 0;
}

bool parse_ip(const std::string& host, uint16_t port, bool percent_is_servername,
              sockaddr_storage& out, std::string* servername) {
  std::string ip = host;
  std::string suffix;
  if (auto pct = host.find('%'); pct != std::string::npos) {
    ip = host.substr(0, pct);
    suffix = host.substr(pct + 1);
    if (suffix.empty()) return false;
  }
  std::memset(&out, 0, sizeof out);
  auto* s4 = reinterpret_cast<sockaddr_in*>(&out);
  auto* s6 = reinterpret_cast<sockaddr_in6*>(&out);
  if (inet_pton(AF_INET, ip.c_str(), &s4->sin_addr) == 1) {
    // Only a TLS server name may follow an IPv4 address.
    if (!suffix.empty() && !percent_is_servername) return false;
    s4->sin_family = AF_INET;
    s4->sin_port = htons(port);
  } else if (inet_pton(AF_INET6, ip.c_str(), &s6->sin6_addr) == 1) {
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(port);
    if (!suffix.empty() && !percent_is_servername) {
      uint32_t scope = 0;
      if (!zone_to_scope(suffix, scope))
        throw ConfigError(fmt::format("invalid IPv6 zone '{}' in {}: no such interface", suffix,
                                      host));
      s6->sin6_scope_id = scope;
    }
  } else {
    return false;
  }
  if (servername && percent_is_servername) *servername = suffix;
  return true;
}

}  // namespace

bool parse_ip_port(std::string_view text, uint16_t default_port, bool percent_is_servername,
                   sockaddr_storage& out, std::string* servername) {
  std::string host;
  uint16_t port = default_port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return false;
    host = std::string(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':' || !parse_port(rest.substr(1), port)) return false;
    }
    // Brackets are for IPv6 only.
    if (host.find(':') == std::string::npos) return false;
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    auto colon = text.find(':');
    host = std::string(text.substr(0, colon));
    if (!parse_port(text.substr(colon + 1), port)) return false;
  } else {
    host = std::string(text);
  }
  return parse_ip(host, port, percent_is_servername, out, servername);
}

std::string address_text(const sockaddr_storage& addr) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (addr.ss_family == AF_INET) {
    const auto* s4 = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &s4->sin_addr, buf, sizeof buf);
    return fmt::format("{}:{}", buf, ntohs(s4->sin_port));
  }
  const auto* s6 = reinterpret_cast<const sockaddr_in6*>(&addr);
  inet_ntop(AF_INET6, &s6->sin6_addr, buf, sizeof buf);
  std::string zone;
  if (s6->sin6_scope_id) {
    char name[IF_NAMESIZE] = {0};
    zone = "%" + std::string(if_indextoname(s6->sin6_scope_id, name)
                                 ? name
                                 : std::to_string(s6->sin6_scope_id).c_str());
  }
  return fmt::format("[{}{}]:{}", buf, zone, ntohs(s6->sin6_port));
}

bool read_resolv_conf(const std::string& path, std::vector<std::string>& nameservers) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return false;
  char line[1024];
  while (std::fgets(line, sizeof line, f)) {
    std::string_view l(line);
    auto word = [&l]() {
      size_t b = l.find_first_not_of(" \t\r\n");
      if (b == std::string_view::npos) return std::string_view{};
      size_t e = l.find_first_of(" \t\r\n", b);
      std::string_view w = l.substr(b, e == std::string_view::npos ? l.size() - b : e - b);
      l = e == std::string_view::npos ? std::string_view{} : l.substr(e);
      return w;
    };
    std::string_view key = word();
    if (key != "nameserver") continue;
    std::string_view value = word();
    if (!value.empty()) nameservers.emplace_back(value);
  }
  std::fclose(f);
  return true;
}

namespace {

bool same_address(const sockaddr_storage& a, const sockaddr_storage& b) {
  if (a.ss_family != b.ss_family) return false;
  if (a.ss_family == AF_INET) {
    const auto* x = reinterpret_cast<const sockaddr_in*>(&a);
    const auto* y = reinterpret_cast<const sockaddr_in*>(&b);
    return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
  }
  const auto* x = reinterpret_cast<const sockaddr_in6*>(&a);
  const auto* y = reinterpret_cast<const sockaddr_in6*>(&b);
  return x->sin6_port == y->sin6_port && x->sin6_scope_id == y->sin6_scope_id &&
         std::memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
}

void add_unique(std::vector<UpstreamSpec>& out, UpstreamSpec spec) {
  for (const auto& u : out)
    if (u.scheme == spec.scheme && same_address(u.addr, spec.addr)) return;
  spec.text = address_text(spec.addr);
  out.push_back(std::move(spec));
}

}  // namespace

std::vector<UpstreamSpec> expand_to(const std::vector<std::string>& to,
                                    const std::vector<std::string>& resolvers) {
  std::vector<UpstreamSpec> out;
  bool empty_file = false;
  for (const std::string& arg : to) {
    std::string_view rest = arg;
    Scheme scheme = Scheme::dns;
    uint16_t port = 53;
    if (auto sep = rest.find("://"); sep != std::string_view::npos) {
      std::string_view s = rest.substr(0, sep);
      rest = rest.substr(sep + 3);
      if (s == "dns") {
        scheme = Scheme::dns;
      } else if (s == "tls") {
        scheme = Scheme::tls;
        port = 853;
      } else if (s == "https") {
        scheme = Scheme::https;
        port = 443;
        // The DoH path is always /dns-query; a bare trailing slash counts as a path too.
        if (rest.find('/') != std::string_view::npos)
          throw ConfigError(fmt::format("paths are not allowed in HTTPS upstream addresses: {}", arg));
      } else {
        throw ConfigError(fmt::format("'{}' is not supported as a destination protocol", s));
      }
    }
    if (rest.empty()) throw ConfigError(fmt::format("invalid address: {}", go_quote(arg)));

    UpstreamSpec spec;
    spec.scheme = scheme;
    if (parse_ip_port(rest, port, scheme != Scheme::dns, spec.addr, &spec.tls_servername)) {
      add_unique(out, std::move(spec));
      continue;
    }
    // Not an address: a resolv.conf-style file, else a host name resolved once now.
    std::vector<std::string> nameservers;
    if (scheme == Scheme::dns && read_resolv_conf(std::string(rest), nameservers)) {
      if (nameservers.empty()) empty_file = true;
      for (const std::string& ns : nameservers) {
        UpstreamSpec file_spec;
        // The zone of a link-local nameserver is kept (CoreDNS drops it: issue #6959).
        if (!parse_ip_port(ns, 53, false, file_spec.addr, nullptr)) continue;
        add_unique(out, std::move(file_spec));
      }
      continue;
    }
    std::string host(rest);
    uint16_t host_port = port;
    if (auto colon = host.rfind(':'); colon != std::string::npos) {
      uint16_t p = 0;
      if (parse_port(std::string_view(host).substr(colon + 1), p)) {
        host_port = p;
        host.resize(colon);
      }
    }
    dns::Name name;
    if (host.find_first_of("/ ") != std::string::npos || !dns::Name::from_text(host, name))
      throw ConfigError(fmt::format("not an IP address, file, or valid domain: {}", go_quote(arg)));
    std::vector<sockaddr_storage> found;
    std::string error;
    if (!resolve_host(host, resolvers, found, error))
      throw ConfigError(fmt::format("failed to resolve {}: {}", go_quote(host), error));
    for (auto& a : found) {
      UpstreamSpec host_spec;
      host_spec.scheme = scheme;
      host_spec.addr = a;
      if (a.ss_family == AF_INET)
        reinterpret_cast<sockaddr_in*>(&host_spec.addr)->sin_port = htons(host_port);
      else
        reinterpret_cast<sockaddr_in6*>(&host_spec.addr)->sin6_port = htons(host_port);
      if (scheme != Scheme::dns) host_spec.tls_servername = host;
      add_unique(out, std::move(host_spec));
    }
  }
  if (out.empty())
    throw ConfigError(empty_file ? "no valid upstream addresses found" : "no nameservers found");
  return out;
}

}  // namespace coredns::plugins::forward
