// tayga.conf: every directive of Tayga 0.9.2 and apalrd/tayga, plus our extensions
// (tayga.conf(5); docs/nat64.md, "Configuration checks"). Parsing collects every error of a file, each naming file:line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nat64/ip.h"

namespace nat64 {

enum class UdpCksumMode : uint8_t { drop, calc, fwd };
// How the workers read and write the TUN (docs/nat64-io.md): io_uring batches where the kernel
// allows it, else one read() and one writev() per packet.
enum class TunIo : uint8_t { automatic, uring, readwrite };

struct LogFlags {
  bool drop = false, reject = false, icmp = false, self = false, dyn = false;
};

// One `map` line (RFC 7757 EAM entry). `where` is "file:line" for error messages.
struct MapLine {
  Prefix4 v4;
  Prefix6 v6;
  std::string where;
};

// tcp-mss-clamp: off, a fixed value, or derived from the TUN MTU.
struct MssClamp {
  bool automatic = false;  // TUN MTU - 60 (IPv6 and TCP headers), following MTU changes
  uint32_t value = 0;      // fixed value; 0 (and not automatic): off
  bool enabled() const { return automatic || value != 0; }
  uint32_t for_mtu(uint32_t tun_mtu) const { return automatic ? (tun_mtu > 60 ? tun_mtu - 60 : 0) : value; }
};

struct TunAddress {
  bool ipv6 = false;
  V4 v4 = 0;
  V6 v6;
  int len = 0;
};

struct Config {
  std::string file;
  std::string tun_device;
  std::optional<V4> ipv4_addr;
  std::optional<V6> ipv6_addr;  // explicit, or derived from prefix + ipv4-addr by validation
  std::optional<Prefix6> prefix;
  bool wkpf_strict = true;
  std::optional<Prefix4> dynamic_pool;
  std::string data_dir;
  std::vector<MapLine> maps;
  std::string map_file;
  bool strict_frag_hdr = false;
  UdpCksumMode udp_cksum_mode = UdpCksumMode::drop;
  LogFlags log;
  uint32_t offlink_mtu = 1280;
  std::optional<int> workers;
  bool tun_up = false;
  std::vector<TunAddress> tun_ip;
  std::vector<TunAddress> tun_route;
  // Extensions (not in Tayga): metrics listener and ICMP error rate limit (RFC 7915 §4.4/§5.4).
  std::string metrics_addr;
  uint32_t icmp_rate = 1000;  // generated ICMP errors per second; 0 = never send them
  uint32_t icmp_burst = 50;
  // Fast-path extensions: TUN offloads (IFF_VNET_HDR, checksum/TSO/USO) and the MSS clamp.
  bool offload = true;
  MssClamp tcp_mss_clamp;
  TunIo tun_io = TunIo::automatic;
};

struct ConfigResult {
  Config config;
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  bool ok() const { return errors.empty(); }
};

// Parses and validates a whole tayga.conf. `state_directory` stands in for data-dir when the
// file has none (apalrd: systemd's STATE_DIRECTORY, first entry of a ':' list).
ConfigResult parse_config(std::string_view text, const std::string& filename,
                          const char* state_directory = nullptr);
ConfigResult load_config(const std::string& path, const char* state_directory = nullptr);

// A map-file holds only `map` lines. Bad lines are reported; the good ones are kept.
struct MapFileResult {
  std::vector<MapLine> maps;
  std::vector<std::string> errors;
};
MapFileResult parse_map_file(std::string_view text, const std::string& filename);
bool read_file(const std::string& path, std::string& out);

// Parses "IPv4[/len] IPv6[/len]" of a map line; an error message on failure.
std::optional<std::string> parse_map_args(std::string_view v4, std::string_view v6, MapLine& out);

// "auto", "uring" or "readwrite" (tayga.conf `tun-io`, environment NAT64_TUN_IO).
std::optional<TunIo> parse_tun_io(std::string_view s);
std::string_view tun_io_name(TunIo t);

}  // namespace nat64
