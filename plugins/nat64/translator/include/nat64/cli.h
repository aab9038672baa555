// Tayga's command line (tayga(8)), plus --metrics-addr.
#pragma once

#include <string>
#include <vector>

namespace nat64 {

enum class LogTarget : unsigned char { automatic, syslog, stdout_, journal };

struct CliOptions {
  std::string config = "/etc/tayga.conf";  // Tayga's default path
  bool debug = false;      // -d: foreground, log to stdout, debug messages included
  bool nodetach = false;   // -n: foreground, keep syslog
  bool chroot = false;     // -r: chroot into data-dir
  bool mktun = false, rmtun = false;
  bool help = false;
  std::string user, group, pidfile, metrics_addr;
  LogTarget log_target = LogTarget::automatic;
};

struct CliResult {
  CliOptions opts;
  std::string error;  // empty when the command line is valid
};

CliResult parse_cli(const std::vector<std::string>& args);  // args exclude argv[0]
std::string usage(const std::string& prog);

}  // namespace nat64
