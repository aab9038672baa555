#include "nat64/config.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <span>
#include <fmt/format.h>

#include "nat64/address_class.h"
#include "nat64/rfc6052.h"

namespace nat64 {

namespace {

constexpr size_t kMaxTokens = 10;
constexpr size_t kMaxLine = 511;

std::string lower(std::string_view s) {
  std::string r(s);
  std::transform(r.begin(), r.end(), r.begin(), [](unsigned char c) { return std::tolower(c); });
  return r;
}

// Splits on spaces, tabs and CR; a token starting with '#' ends the line.
std::vector<std::string_view> tokenize(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    if (i >= line.size() || line[i] == '#') break;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
    out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

std::optional<bool> parse_bool(std::string_view s) {
  auto v = lower(s);
  if (v == "yes" || v == "true" || v == "on" || v == "1") return true;
  if (v == "no" || v == "false" || v == "off" || v == "0") return false;
  return std::nullopt;
}

std::optional<long> parse_int(std::string_view s, long lo, long hi) {
  long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) return std::nullopt;
  return v;
}

bool host_bits_zero(const Prefix4& p) { return (p.addr & ~mask4(p.len)) == 0; }
bool host_bits_zero(const Prefix6& p) { return (to_u128(p.addr) & ~mask6(p.len)) == 0; }

struct Parser {
  using Args = std::span<const std::string_view>;

  ConfigResult r;
  std::string file;
  int line = 0;
  std::vector<std::string> seen;  // single-instance directives already given

  void error(const std::string& msg) { r.errors.push_back(fmt::format("{}:{}: {}", file, line, msg)); }
  void warn(const std::string& msg) { r.warnings.push_back(fmt::format("{}:{}: {}", file, line, msg)); }

  bool once(const std::string& name) {
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      error(fmt::format("'{}' given more than once", name));
      return false;
    }
    seen.push_back(name);
    return true;
  }

  bool nargs(const std::string& name, size_t got, size_t want) {
    if (got == want) return true;
    error(fmt::format("'{}' takes {} argument{}, got {}", name, want, want == 1 ? "" : "s", got));
    return false;
  }

  // A yes/no (or on/off) argument; `words` names them in the error.
  std::optional<bool> flag(const std::string& name, std::string_view v, std::string_view words) {
    auto b = parse_bool(v);
    if (!b) error(fmt::format("{} expects {}, got '{}'", name, words, v));
    return b;
  }

  void directive(const std::vector<std::string_view>& t);

  // One handler per directive (tayga.conf(5)), called once the argument count and the
  // single-instance rule were checked.
  void tun_device(const std::string& name, Args a);
  void ipv4_addr(const std::string& name, Args a);
  void ipv6_addr(const std::string& name, Args a);
  void prefix(const std::string& name, Args a);
  void wkpf_strict(const std::string& name, Args a);
  void map(const std::string& name, Args a);
  void dynamic_pool(const std::string& name, Args a);
  void data_dir(const std::string& name, Args a);
  void map_file(const std::string& name, Args a);
  void strict_frag_hdr(const std::string& name, Args a);
  void udp_cksum_mode(const std::string& name, Args a);
  void log(const std::string& name, Args a);
  void offlink_mtu(const std::string& name, Args a);
  void workers(const std::string& name, Args a);
  void tun_up(const std::string& name, Args a);
  void tun_address(const std::string& name, Args a);
  void offload(const std::string& name, Args a);
  void tcp_mss_clamp(const std::string& name, Args a);
  void tun_io(const std::string& name, Args a);
  void metrics_addr(const std::string& name, Args a);
  void icmp_rate_limit(const std::string& name, Args a);
};

struct Rule {
  std::string_view name;
  size_t min_args, max_args;
  bool single;  // may be given once only
  std::string_view usage;  // for a variable argument count: what they are
  void (Parser::*handle)(const std::string&, Parser::Args);
};

constexpr size_t kAny = SIZE_MAX;
constexpr Rule kRules[] = {
    {"tun-device", 1, 1, true, "", &Parser::tun_device},
    {"ipv4-addr", 1, 1, true, "", &Parser::ipv4_addr},
    {"ipv6-addr", 1, 1, true, "", &Parser::ipv6_addr},
    {"prefix", 1, 1, true, "", &Parser::prefix},
    {"wkpf-strict", 1, 1, true, "", &Parser::wkpf_strict},
    {"map", 2, 2, false, "", &Parser::map},
    {"dynamic-pool", 1, 1, true, "", &Parser::dynamic_pool},
    {"data-dir", 1, 1, true, "", &Parser::data_dir},
    {"map-file", 1, 1, true, "", &Parser::map_file},
    {"strict-frag-hdr", 1, 1, true, "", &Parser::strict_frag_hdr},
    {"udp-cksum-mode", 1, 1, true, "", &Parser::udp_cksum_mode},
    {"log", 0, kAny, true, "", &Parser::log},
    {"offlink-mtu", 1, 1, true, "", &Parser::offlink_mtu},
    {"workers", 1, 1, true, "", &Parser::workers},
    {"tun-up", 1, 1, true, "", &Parser::tun_up},
    {"tun-ip", 1, 1, false, "", &Parser::tun_address},
    {"tun-route", 1, 1, false, "", &Parser::tun_address},
    {"offload", 1, 1, true, "", &Parser::offload},
    {"tcp-mss-clamp", 1, 1, true, "", &Parser::tcp_mss_clamp},
    {"tun-io", 1, 1, true, "", &Parser::tun_io},
    {"metrics-addr", 1, 1, true, "", &Parser::metrics_addr},
    {"icmp-rate-limit", 1, 2, true, " (per second [burst])", &Parser::icmp_rate_limit},
};

void Parser::directive(const std::vector<std::string_view>& t) {
  const std::string name = lower(t[0]);
  const Rule* rule = nullptr;
  for (const Rule& r : kRules)
    if (r.name == name) rule = &r;
  if (!rule) return error(fmt::format("unknown directive '{}'", t[0]));
  const Args args(t.begin() + 1, t.end());
  const size_t n = args.size();
  if (rule->min_args == rule->max_args && !nargs(name, n, rule->min_args)) return;
  if (n < rule->min_args || n > rule->max_args)
    return error(fmt::format("'{}' takes {} or {} arguments{}", name, rule->min_args, rule->max_args, rule->usage));
  if (rule->single && !once(name)) return;
  (this->*rule->handle)(name, args);
}

void Parser::tun_device(const std::string&, Args a) {
  if (a[0].size() >= 16) return error(fmt::format("tun-device name '{}' is too long (max 15)", a[0]));
  r.config.tun_device = std::string(a[0]);
}

void Parser::ipv4_addr(const std::string&, Args a) {
  auto v4 = parse_v4(a[0]);
  if (!v4) return error(fmt::format("invalid IPv4 address '{}'", a[0]));
  if (v4_is_invalid(*v4)) return error(fmt::format("ipv4-addr {} is a reserved address", a[0]));
  if (v4_is_link_local(*v4)) warn(fmt::format("ipv4-addr {} is link-local", a[0]));
  r.config.ipv4_addr = *v4;
}

void Parser::ipv6_addr(const std::string&, Args a) {
  auto v6 = parse_v6(a[0]);
  if (!v6) return error(fmt::format("invalid IPv6 address '{}'", a[0]));
  if (v6_is_invalid(*v6)) return error(fmt::format("ipv6-addr {} is a reserved address", a[0]));
  r.config.ipv6_addr = *v6;
}

void Parser::prefix(const std::string&, Args a) {
  auto p = parse_prefix6(a[0], -1);
  if (!p || p->len < 0) return error(fmt::format("invalid IPv6 prefix '{}' (expected address/length)", a[0]));
  if (!rfc6052::valid_length(p->len))
    return error(fmt::format("prefix length /{} is not one of 32, 40, 48, 56, 64, 96 (RFC 6052)", p->len));
  if (!host_bits_zero(*p)) return error(fmt::format("prefix {} has bits set after the prefix length", a[0]));
  if (v6_is_invalid(p->addr)) return error(fmt::format("prefix {} is a reserved range", a[0]));
  r.config.prefix = *p;
}

void Parser::wkpf_strict(const std::string& name, Args a) {
  if (auto b = flag(name, a[0], "yes or no")) r.config.wkpf_strict = *b;
}

void Parser::map(const std::string&, Args a) {
  MapLine m;
  m.where = fmt::format("{}:{}", file, line);
  if (auto e = parse_map_args(a[0], a[1], m)) return error(*e);
  r.config.maps.push_back(m);
}

void Parser::dynamic_pool(const std::string&, Args a) {
  auto p = parse_prefix4(a[0], -1);
  if (!p || p->len < 0) return error(fmt::format("invalid IPv4 prefix '{}' (expected address/length)", a[0]));
  if (p->len > 31) return error("dynamic-pool must be /31 or larger");
  if (!host_bits_zero(*p)) return error(fmt::format("dynamic-pool {} has bits set after the prefix length", a[0]));
  if (v4_is_invalid(p->addr)) return error(fmt::format("dynamic-pool {} is a reserved range", a[0]));
  r.config.dynamic_pool = *p;
}

void Parser::data_dir(const std::string&, Args a) {
  if (a[0].empty() || a[0][0] != '/') return error("data-dir must be an absolute path");
  r.config.data_dir = std::string(a[0]);
}

void Parser::map_file(const std::string&, Args a) { r.config.map_file = std::string(a[0]); }

void Parser::strict_frag_hdr(const std::string& name, Args a) {
  auto b = flag(name, a[0], "on or off");
  if (!b) return;
  r.config.strict_frag_hdr = *b;
  if (*b) warn("strict-frag-hdr is deprecated (RFC 8021) and ignored: atomic fragments are never generated");
}

void Parser::udp_cksum_mode(const std::string&, Args a) {
  const auto v = lower(a[0]);
  UdpCksumMode& mode = r.config.udp_cksum_mode;
  if (v.starts_with("dr")) mode = UdpCksumMode::drop;
  else if (v.starts_with("calc")) mode = UdpCksumMode::calc;
  else if (v.starts_with("fwd") || v.starts_with("forw")) mode = UdpCksumMode::fwd;
  else error(fmt::format("udp-cksum-mode expects drop, calc or fwd, got '{}'", a[0]));
}

void Parser::log(const std::string&, Args a) {
  LogFlags& f = r.config.log;
  for (std::string_view arg : a) {
    const auto v = lower(arg);
    if (v == "drop") f.drop = true;
    else if (v == "reject") f.reject = true;
    else if (v == "icmp") f.icmp = true;
    else if (v == "self") f.self = true;
    else if (v == "dyn") f.dyn = true;
    else error(fmt::format("unknown log option '{}' (expected drop, reject, icmp, self, dyn)", arg));
  }
}

void Parser::offlink_mtu(const std::string&, Args a) {
  auto v = parse_int(a[0], 1280, 65535);
  if (!v) return error(fmt::format("offlink-mtu must be a number from 1280 to 65535, got '{}'", a[0]));
  r.config.offlink_mtu = static_cast<uint32_t>(*v);
}

void Parser::workers(const std::string&, Args a) {
  auto v = parse_int(a[0], 0, 64);
  if (!v) return error(fmt::format("workers must be a number from 0 to 64, got '{}'", a[0]));
  r.config.workers = static_cast<int>(*v);
}

void Parser::tun_up(const std::string& name, Args a) {
  if (auto b = flag(name, a[0], "yes or no")) r.config.tun_up = *b;
}

void Parser::tun_address(const std::string& name, Args a) {
  TunAddress t;
  if (auto p4 = parse_prefix4(a[0], 32)) {
    t.v4 = p4->addr;
    t.len = p4->len;
  } else if (auto p6 = parse_prefix6(a[0], 128)) {
    t.ipv6 = true;
    t.v6 = p6->addr;
    t.len = p6->len;
  } else {
    return error(fmt::format("invalid address '{}' for {}", a[0], name));
  }
  (name == "tun-ip" ? r.config.tun_ip : r.config.tun_route).push_back(t);
}

void Parser::offload(const std::string& name, Args a) {
  if (auto b = flag(name, a[0], "yes or no")) r.config.offload = *b;
}

void Parser::tcp_mss_clamp(const std::string&, Args a) {
  const auto v = lower(a[0]);
  if (v == "auto") {
    r.config.tcp_mss_clamp.automatic = true;
  } else if (v != "off") {
    auto mss = parse_int(a[0], 536, 65495);
    if (!mss) return error(fmt::format("tcp-mss-clamp expects auto, off or a number from 536 to 65495, got '{}'", a[0]));
    r.config.tcp_mss_clamp.value = static_cast<uint32_t>(*mss);
  }
}

void Parser::tun_io(const std::string&, Args a) {
  if (auto v = parse_tun_io(a[0])) r.config.tun_io = *v;
  else error(fmt::format("tun-io expects auto, uring or readwrite, got '{}'", a[0]));
}

void Parser::metrics_addr(const std::string&, Args a) { r.config.metrics_addr = std::string(a[0]); }

void Parser::icmp_rate_limit(const std::string&, Args a) {
  auto rate = parse_int(a[0], 0, 1000000);
  if (!rate) return error(fmt::format("icmp-rate-limit: invalid rate '{}'", a[0]));
  r.config.icmp_rate = static_cast<uint32_t>(*rate);
  if (a.size() == 2) {
    auto burst = parse_int(a[1], 1, 1000000);
    if (!burst) return error(fmt::format("icmp-rate-limit: invalid burst '{}'", a[1]));
    r.config.icmp_burst = static_cast<uint32_t>(*burst);
  }
}

// Checks that need the whole file (docs/nat64.md, "Configuration checks").
void validate(Parser& ps) {
  Config& c = ps.r.config;
  auto error = [&](const std::string& msg) { ps.r.errors.push_back(fmt::format("{}: {}", ps.file, msg)); };
  if (c.tun_device.empty()) error("missing required directive 'tun-device'");
  if (!c.ipv4_addr) error("missing required directive 'ipv4-addr'");
  if (!c.prefix && c.maps.empty()) error("no translation maps or NAT64 prefix configured");

  // RFC 7757: an IPv4 or IPv6 prefix may appear in one map only; overlaps resolve by the
  // longest match, so they are allowed (Tayga refuses IPv6 overlaps).
  for (size_t i = 0; i < c.maps.size(); ++i)
    for (size_t j = 0; j < i; ++j) {
      if (c.maps[i].v4 == c.maps[j].v4)
        ps.r.errors.push_back(fmt::format("{}: map {}/{} conflicts with the map at {}", c.maps[i].where,
                                          format_v4(c.maps[i].v4.addr), c.maps[i].v4.len, c.maps[j].where));
      if (c.maps[i].v6 == c.maps[j].v6)
        ps.r.errors.push_back(fmt::format("{}: map {}/{} conflicts with the map at {}", c.maps[i].where,
                                          format_v6(c.maps[i].v6.addr), c.maps[i].v6.len, c.maps[j].where));
    }

  if (!c.ipv4_addr) return;
  if (c.dynamic_pool && c.dynamic_pool->contains(*c.ipv4_addr) && c.dynamic_pool->len == 31)
    ps.r.warnings.push_back(fmt::format("{}: ipv4-addr takes one of the two pool addresses", ps.file));
  const bool wkp = c.prefix && is_well_known_prefix(*c.prefix);
  if (c.ipv6_addr) {
    if (c.prefix && c.prefix->contains(*c.ipv6_addr))
      error(fmt::format("ipv6-addr {} lies inside the NAT64 prefix", format_v6(*c.ipv6_addr)));
    static const Prefix6 wkp96{{{0x00, 0x64, 0xff, 0x9b}}, 96};
    if (c.wkpf_strict && wkp96.contains(*c.ipv6_addr))
      error(fmt::format("ipv6-addr {} lies inside 64:ff9b::/96", format_v6(*c.ipv6_addr)));
    for (const auto& m : c.maps)
      if (m.v6.contains(*c.ipv6_addr) || m.v4.contains(*c.ipv4_addr))
        error(fmt::format("ipv6-addr/ipv4-addr conflict with the map at {}", m.where));
  } else if (!c.prefix) {
    error("'ipv6-addr' is required when there is no 'prefix'");
  } else if (wkp && c.wkpf_strict && v4_is_non_global(*c.ipv4_addr)) {
    error(fmt::format(
        "ipv4-addr {} is not global, so it cannot be embedded in 64:ff9b::/96 (RFC 6052 §3.1): set "
        "'ipv6-addr', or use a network-specific prefix such as 64:ff9b:1::/96 (RFC 8215)",
        format_v4(*c.ipv4_addr)));
  } else {
    c.ipv6_addr = rfc6052::embed(*c.prefix, *c.ipv4_addr);
  }
}

}  // namespace

std::optional<TunIo> parse_tun_io(std::string_view s) {
  const auto v = lower(s);
  if (v == "auto") return TunIo::automatic;
  if (v == "uring") return TunIo::uring;
  if (v == "readwrite") return TunIo::readwrite;
  return std::nullopt;
}

std::string_view tun_io_name(TunIo t) {
  switch (t) {
    case TunIo::uring: return "uring";
    case TunIo::readwrite: return "readwrite";
    case TunIo::automatic: break;
  }
  return "auto";
}

std::optional<std::string> parse_map_args(std::string_view v4s, std::string_view v6s, MapLine& m) {
  auto p4 = parse_prefix4(v4s, 32);
  if (!p4) return fmt::format("invalid IPv4 address or prefix '{}'", v4s);
  auto p6 = parse_prefix6(v6s, 128);
  if (!p6) return fmt::format("invalid IPv6 address or prefix '{}'", v6s);
  if (!host_bits_zero(*p4)) return fmt::format("map {} has bits set after the prefix length", v4s);
  if (!host_bits_zero(*p6)) return fmt::format("map {} has bits set after the prefix length", v6s);
  if (128 - p6->len < 32 - p4->len)
    return fmt::format("map {} {}: the IPv6 side has fewer suffix bits than the IPv4 side (RFC 7757 §3.2)", v4s, v6s);
  if (v4_is_invalid(p4->addr)) return fmt::format("map {}: reserved IPv4 range", v4s);
  if (v6_is_invalid(p6->addr)) return fmt::format("map {}: reserved IPv6 range", v6s);
  m.v4 = *p4;
  m.v6 = *p6;
  return std::nullopt;
}

ConfigResult parse_config(std::string_view text, const std::string& filename, const char* state_directory) {
  Parser ps;
  ps.file = filename;
  ps.r.config.file = filename;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view raw = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    ++ps.line;
    if (raw.size() > kMaxLine) {
      ps.error(fmt::format("line longer than {} characters", kMaxLine));
    } else {
      auto t = tokenize(raw);
      if (t.size() > kMaxTokens) ps.error(fmt::format("more than {} words on a line", kMaxTokens));
      else if (!t.empty()) ps.directive(t);
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  if (ps.r.config.data_dir.empty() && state_directory && *state_directory) {
    std::string_view sd(state_directory);
    sd = sd.substr(0, sd.find(':'));
    if (!sd.empty() && sd[0] == '/') ps.r.config.data_dir = std::string(sd);
  }
  validate(ps);
  return std::move(ps.r);
}

bool read_file(const std::string& path, std::string& out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  out.clear();
  char buf[8192];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return n == 0;
}

ConfigResult load_config(const std::string& path, const char* state_directory) {
  std::string text;
  if (!read_file(path, text)) {
    ConfigResult r;
    r.errors.push_back(fmt::format("{}: cannot read the config file", path));
    return r;
  }
  return parse_config(text, path, state_directory);
}

MapFileResult parse_map_file(std::string_view text, const std::string& filename) {
  MapFileResult r;
  int line = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view raw = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    ++line;
    auto t = tokenize(raw);
    if (!t.empty()) {
      MapLine m;
      m.where = fmt::format("{}:{}", filename, line);
      if (lower(t[0]) != "map") {
        r.errors.push_back(fmt::format("{}: only 'map' lines are allowed in a map-file", m.where));
      } else if (t.size() != 3) {
        r.errors.push_back(fmt::format("{}: 'map' takes 2 arguments, got {}", m.where, t.size() - 1));
      } else if (auto e = parse_map_args(t[1], t[2], m)) {
        r.errors.push_back(fmt::format("{}: {}", m.where, *e));
      } else {
        // Two lines naming one address: the later wins, and the earlier goes on both sides (its
        // other address is unmapped, not left half-mapped), as Tayga applies a map-file.
        std::erase_if(r.maps, [&](const MapLine& o) {
          if (o.v4 != m.v4 && o.v6 != m.v6) return false;
          r.errors.push_back(fmt::format("{}: replaces the map at {}", m.where, o.where));
          return true;
        });
        r.maps.push_back(m);
      }
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return r;
}

}  // namespace nat64
