// Conformance: Jool's SIIT graybox exchanges (tests/data/jool-graybox-siit; docs/nat64.md, "Graybox replay")
// replayed through the pure translator, configured like Jool's test network.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <map>
#include <set>

#include "nat64/checksum.h"
#include "test_util.h"

using namespace nat64;
using namespace nat64::test;

namespace {

struct Row {
  int id;
  std::string group, dir, subdir, test;
  std::vector<std::string> expected;
  std::set<size_t> ignore;
  std::string state;
};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (true) {
    size_t n = s.find(sep, pos);
    out.push_back(s.substr(pos, n == std::string::npos ? std::string::npos : n - pos));
    if (n == std::string::npos) break;
    pos = n + 1;
  }
  return out;
}

std::vector<Row> manifest() {
  std::string text;
  REQUIRE(read_file(std::string(GRAYBOX_DIR) + "/manifest.tsv", text));
  std::vector<Row> rows;
  for (const auto& line : split(text, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    auto f = split(line, '\t');
    f.resize(8);
    Row r{std::stoi(f[0]), f[1], f[2], f[3], f[4], split(f[5], ','), {}, f[7]};
    if (!f[6].empty())
      for (const auto& o : split(f[6], ',')) r.ignore.insert(std::stoul(o));
    rows.push_back(r);
  }
  return rows;
}

// Jool's test network as a tayga.conf (docs/nat64.md, "Graybox replay"). ipv4-addr doubles as Jool's RFC 6791
// address 203.0.113.8.
const char* kBaseConfig =
    "tun-device nat64\n"
    "ipv4-addr 203.0.113.8\n"
    "prefix 2001:db8:100::/40\n"
    "map 1.0.0.0/24 2001:db8:3::/120\n"
    "map 10.0.0.0/24 2001:db8:2::/120\n"
    "icmp-rate-limit 0\n";  // replaced below; errors are not rate-limited in the replay

// Rows we deliberately answer differently, with the reason (listed in the README too).
const std::map<int, const char*> kDeliberate = {
    {47, "RFC 6791 IPv6 pool (rfc6791v6-prefix): Tayga's model has one own address, no separate pool"},
    {99, "RFC 4884: we zero-pad the translated original datagram to 64 bits; Jool truncates it (2 bytes lost)"},
    {100, "RFC 4884: we zero-pad the translated original datagram to 64 bits; Jool truncates it (4 bytes lost)"},
};

// Where we drop silently as Tayga does (plugins/nat64/README.md, "Differences from Tayga", lists
// only RFC-driven differences; these follow Tayga) and Jool expects a packet.
const std::map<int, const char*> kAsTayga = {
    {40, "an ICMPv6 error whose inner packet carries an extension header (an atomic fragment)"},
    {88, "IPv4 UDP with a zero checksum: dropped (udp-cksum-mode drop), Jool answers 3/13"},
    {89, "a first fragment with a zero UDP checksum under udp-cksum-mode calc: dropped, Jool 3/13"},
    {90, "a first fragment with a zero UDP checksum: dropped, Jool answers 3/13"},
    {94, "an ICMPv4 error from 0.0.0.0: dropped, Jool translates it (RFC 7915 §4.1)"},
    {95, "an ICMPv4 error from 127.0.0.1: dropped, Jool translates it (RFC 7915 §4.1)"},
};

// Jool's own addresses: errors Jool generates come from its interface, ours from ipv4-addr /
// ipv6-addr (Tayga's model, one address pair).
const V4 kJoolV4 = v4("198.51.100.1");
const V6 kJoolV6 = v6("2001:db8:1c0:2:1::");

struct Variant {
  std::string conf;
  uint32_t tun_mtu = 1500;
};

Variant variant_for(const Row& r) {
  Variant v;
  std::string conf = kBaseConfig;
  conf.replace(conf.find("icmp-rate-limit 0"), 17, "icmp-rate-limit 100000 100000");
  for (const auto& kv : split(r.state, ';')) {
    if (kv.empty()) continue;
    auto eq = kv.find('=');
    std::string k = kv.substr(0, eq), val = eq == std::string::npos ? "" : kv.substr(eq + 1);
    if (k == "lowest-ipv6-mtu") conf += "offlink-mtu " + val + "\n";
    else if (k == "amend-udp-checksum-zero") conf += val == "1" ? "udp-cksum-mode calc\n" : "";
    // Tayga's model has a single MTU, the TUN's: the translator-side link MTU Jool changes.
    else if (k.starts_with("mtu:joolns/")) v.tun_mtu = static_cast<uint32_t>(std::stoul(val));
    else if (k.starts_with("mtu:")) continue;
    else if (k == "rfc6791v4-prefix" || k == "rfc6791v6-prefix") continue;  // see normalization
    else if (k == "pool6" && val == "null") {
      conf.replace(conf.find("prefix 2001:db8:100::/40\n"), 25, "ipv6-addr 2001:db8:ffff::8\n");
    } else if (k.starts_with("eamt+")) {
      auto parts = split(k.substr(5), '=');
      conf += "map " + parts[0] + " " + val.substr(0, val.find('=')) + "\n";
      (void)parts;
    }
  }
  // eamt+A=B=yes: the key holds "A", the value "B=yes".
  v.conf = conf;
  return v;
}

// When Jool's expected packet is an error from its own interface and ours comes from our own
// address, substitute ours into the expected packet and recompute its checksums.
bool normalize_generator(Bytes& exp, const Bytes& got, const Config& cfg) {
  if (exp.size() < 20 || got.size() < 20 || (exp[0] >> 4) != (got[0] >> 4)) return false;
  if ((exp[0] >> 4) == 4) {
    if (load32(&exp[12]) != kJoolV4 || load32(&got[12]) != *cfg.ipv4_addr) return false;
    store32(&exp[12], *cfg.ipv4_addr);
    store16(&exp[10], 0);
    store16(&exp[10], csum::finish(csum::add(exp.data(), 20)));
  } else {
    if (exp.size() < 48 || load_v6(&exp[8]) != kJoolV6 || load_v6(&got[8]) != *cfg.ipv6_addr) return false;
    store_v6(&exp[8], *cfg.ipv6_addr);
  }
  fix_l4(exp);
  return true;
}

bool same(const Bytes& exp, const Bytes& got, const std::set<size_t>& ignore) {
  if (exp.size() != got.size()) return false;
  for (size_t i = 0; i < exp.size(); ++i)
    if (exp[i] != got[i] && !ignore.contains(i)) return false;
  return true;
}

}  // namespace

TEST_CASE("graybox: Jool's SIIT exchanges through the pure translator", "[graybox]") {
  const auto rows = manifest();
  REQUIRE(rows.size() == 124);
  int pass = 0, normalized = 0, deliberate = 0, as_tayga = 0;
  std::vector<std::string> failures;
  for (const auto& r : rows) {
    const std::string dir = std::string(GRAYBOX_DIR) + "/" + r.subdir + "/";
    Variant v = variant_for(r);
    Harness h(v.conf, v.tun_mtu);
    auto out = h.run(read_binary(dir + r.test + ".pkt"));
    bool ok = out.size() == r.expected.size();
    bool norm = false;
    for (size_t i = 0; ok && i < out.size(); ++i) {
      Bytes exp = read_binary(dir + r.expected[i] + ".pkt");
      if (same(exp, out[i], r.ignore)) continue;
      if (normalize_generator(exp, out[i], h.cfg) && same(exp, out[i], r.ignore)) {
        norm = true;
        continue;
      }
      ok = false;
    }
    if (kDeliberate.contains(r.id)) {
      ++deliberate;
      continue;
    }
    if (kAsTayga.contains(r.id)) {
      if (out.empty()) ++as_tayga;
      else failures.push_back(fmt::format("row {} ({}): {} packet(s) out, Tayga drops it", r.id, r.test, out.size()));
      continue;
    }
    if (ok) {
      ++pass;
      normalized += norm;
      continue;
    }
    std::string msg = fmt::format("row {} ({} {}): got {} packet(s), expected {}", r.id, r.test, r.state, out.size(),
                                  r.expected.size());
    for (size_t i = 0; i < out.size() && i < 1; ++i) {
      msg += "\n got:\n" + hex(out[i]);
      if (i < r.expected.size()) msg += "\n expected:\n" + hex(read_binary(dir + r.expected[i] + ".pkt"));
    }
    failures.push_back(msg);
  }
  for (const auto& f : failures) UNSCOPED_INFO(f);
  const std::string summary = fmt::format(
      "graybox: {} of {} pass ({} with our own address as the error source), {} dropped as Tayga drops them, {} "
      "deliberate differences",
      pass, rows.size(), normalized, as_tayga, deliberate);
  INFO(summary << ", " << failures.size() << " failures");
  WARN(summary);
  CHECK(failures.empty());
}
