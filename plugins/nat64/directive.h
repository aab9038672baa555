#pragma once
// The nat64 directive (README.md, "Corefile"): which program to start, with which command line
// and which tayga.conf. Parsing validates the tayga.conf with the program's own parser
// ("nat64/config.h", the nat64_config library), so a Corefile whose nat64 could not start fails
// to load.
//
//   nat64 [TAYGA_CONF] {
//       binary PATH
//       args ARG...
//       TAYGA-DIRECTIVE ARGS...     (only without TAYGA_CONF: the tayga.conf, inline)
//   }
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/corefile/dispenser.h"

namespace coredns::plugins::nat64 {

// An IPv6 prefix: the address with its host bits cleared, and the length.
struct Prefix6 {
  std::array<uint8_t, 16> bytes{};
  int length = 0;
  bool operator==(const Prefix6&) const = default;
  std::string to_text() const;  // "64:ff9b::/96"
};

// The inline form's tayga.conf reaches the child as this inherited descriptor (an anonymous
// memfd), named on its command line as kInlineConfigPath.
inline constexpr int kInlineConfigFd = 3;
inline constexpr const char* kInlineConfigPath = "/proc/self/fd/3";
// The tayga.conf path when the directive names none: Tayga's default.
inline constexpr const char* kDefaultConfig = "/etc/tayga.conf";

// One child to supervise: what one nat64 directive says.
struct ChildSpec {
  std::string binary;             // the program, as execve gets it
  std::vector<std::string> argv;  // argv[0] is `binary`
  std::string config_file;        // TAYGA_CONF as given; empty for the inline form
  std::string inline_config;      // the generated tayga.conf (inline form)
  std::string tun_device;         // from the tayga.conf
  std::optional<Prefix6> prefix;  // the tayga.conf's `prefix` (Tayga has no default)
  std::string where;              // "Corefile:7": the directive, for messages
  // Two specs with the same identity are the same child: a reload keeps it running. The
  // program, its command line and the tayga.conf's text (the file's content for TAYGA_CONF).
  std::string identity;
};

// Where the program is looked for when the directive has no `binary`, or `binary` has no '/'.
struct BinaryLookup {
  std::string self_dir;  // the directory of the coredns executable: DIR/nat64 comes first
  std::string path;      // $PATH
  static BinaryLookup of_process();  // /proc/self/exe's directory and the environment's PATH
};

// Parses the occurrence of the directive the dispenser stands on (d.val() == "nat64") and
// leaves the dispenser after it. Throws ConfigError ("Corefile:L - Error during parsing: ...").
ChildSpec parse_directive(corefile::Dispenser& d, const BinaryLookup& lookup);

}  // namespace coredns::plugins::nat64
