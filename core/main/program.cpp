// coredns: a CoreDNS-compatible DNS server. The command line is CoreDNS's (coremain/run.go).
#include "core/main/program.h"

#include <linux/capability.h>
#include <unistd.h>

#include <algorithm>
#include <fmt/format.h>
#include <string>
#include <vector>

#include "core/main/version.h"
#include "core/util/capabilities.h"
#include "core/util/go_flags.h"
#include "core/plugin/registry.h"
#include "core/server/process.h"
#include "core/util/log.h"
#include "core/util/time_text.h"
#include "generated/plugin_table.h"

namespace {

void write_fd(int fd, const std::string& text) {
  if (::write(fd, text.data(), text.size()) < 0) {
  }
}

// Go's log package prefix: "2006/01/02 15:04:05 ".
std::string go_log_time() { return coredns::format_now("%Y/%m/%d %H:%M:%S", coredns::Zone::local); }

}  // namespace

int coredns::run_coredns(int argc, char** argv) {
  coredns::util::take_file_capability(CAP_NET_BIND_SERVICE, CAP_NET_ADMIN);
  coredns::set_directive_table(coredns::plugin_table());
  using coredns::cli::Flag;
  std::string conf, port = "53", pidfile, log_format = "text";
  bool plugins = false, quiet = false, version = false;
  const std::vector<Flag> flags = {
      {"conf", "Corefile to load", false, "Corefile", &conf, nullptr},
      {"dns.port", "Default port", false, "53", &port, nullptr},
      {"log-format", "Log output format: text or json", false, "text", &log_format, nullptr},
      {"p", "Default port", false, "53", &port, nullptr},
      {"pidfile", "Path to write pid file", false, "", &pidfile, nullptr},
      {"plugins", "List installed plugins", true, "", nullptr, &plugins},
      {"quiet", "Quiet mode (no initialization output)", true, "", nullptr, &quiet},
      {"version", "Show version", true, "", nullptr, &version},
  };
  auto parsed = coredns::cli::parse_flags(flags, argc, argv);
  const std::string usage = coredns::cli::usage_text(flags, argv[0]);
  if (parsed.outcome == coredns::cli::ParseResult::help) {
    write_fd(STDERR_FILENO, usage);
    return 0;
  }
  if (parsed.outcome == coredns::cli::ParseResult::error) {
    write_fd(STDERR_FILENO, parsed.message + "\n" + usage);
    return 2;
  }
  coredns::log::Format format;
  if (!coredns::log::parse_format(log_format, format)) {
    // What Go's flag package prints when a flag.Value rejects its argument.
    write_fd(STDERR_FILENO,
             fmt::format("invalid value \"{}\" for flag -log-format: must be text or json\n{}",
                         log_format, usage));
    return 2;
  }
  coredns::log::set_format(format);
  if (!parsed.positional.empty()) {
    std::string list;
    for (const auto& a : parsed.positional) list += (list.empty() ? "" : " ") + a;
    write_fd(STDERR_FILENO,
             fmt::format("{} extra command line arguments: [{}]\n", go_log_time(), list));
    return 1;
  }
  const std::vector<std::string> version_lines = coredns::version_lines();
  if (version) {
    for (const auto& l : version_lines) write_fd(STDOUT_FILENO, l + "\n");
    return 0;
  }
  if (plugins) {
    std::vector<std::string> names;
    for (const auto& e : coredns::directive_table())
      if (e.def) names.emplace_back(e.name);
    std::sort(names.begin(), names.end());
    std::string out;
    for (const auto& n : names) out += n + "\n";
    write_fd(STDOUT_FILENO, out + "\n");
    return 0;
  }

  coredns::server::StartOptions options;
  options.process.conf_path = conf;
  options.process.default_port = port;
  options.pidfile = pidfile;
  options.quiet = quiet;
  options.version_lines = version_lines;
  return coredns::server::Process::get().run(options);
}
