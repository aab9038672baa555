#include "nat64/cli.h"

#include <fmt/format.h>

namespace nat64 {

CliResult parse_cli(const std::vector<std::string>& args) {
  CliResult r;
  CliOptions& o = r.opts;
  auto fail = [&](std::string msg) {
    r.error = std::move(msg);
    return r;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    std::string value;
    bool has_value = false;
    // --name=value and -xVALUE forms.
    if (a.starts_with("--")) {
      if (auto eq = a.find('='); eq != std::string::npos) {
        value = a.substr(eq + 1);
        a = a.substr(0, eq);
        has_value = true;
      }
    } else if (a.size() > 2 && a[0] == '-') {
      const char f = a[1];
      if (f == 'c' || f == 'u' || f == 'g' || f == 'p') {
        value = a.substr(2);
        a = a.substr(0, 2);
        has_value = true;
      } else {
        // Combined flags such as -dn.
        for (size_t k = 1; k < a.size(); ++k) {
          const char c = a[k];
          if (c == 'd') o.debug = true;
          else if (c == 'n') o.nodetach = true;
          else if (c == 'r') o.chroot = true;
          else if (c == 'h') o.help = true;
          else return fail(fmt::format("unknown option '-{}'", c));
        }
        continue;
      }
    }
    auto need = [&](std::string& dst) -> bool {
      if (has_value) {
        dst = value;
        return true;
      }
      if (i + 1 >= args.size()) return false;
      dst = args[++i];
      return true;
    };
    if (a == "-c" || a == "--config") {
      if (!need(o.config)) return fail(fmt::format("option '{}' requires an argument", a));
    } else if (a == "-u" || a == "--user") {
      if (!need(o.user)) return fail(fmt::format("option '{}' requires an argument", a));
    } else if (a == "-g" || a == "--group") {
      if (!need(o.group)) return fail(fmt::format("option '{}' requires an argument", a));
    } else if (a == "-p" || a == "--pidfile") {
      if (!need(o.pidfile)) return fail(fmt::format("option '{}' requires an argument", a));
    } else if (a == "--metrics-addr") {
      if (!need(o.metrics_addr)) return fail(fmt::format("option '{}' requires an argument", a));
    } else if (a == "-d" || a == "--debug") {
      o.debug = true;
    } else if (a == "-n" || a == "--nodetach") {
      o.nodetach = true;
    } else if (a == "-r" || a == "--chroot") {
      o.chroot = true;
    } else if (a == "--mktun") {
      o.mktun = true;
    } else if (a == "--rmtun") {
      o.rmtun = true;
    } else if (a == "-h" || a == "--help") {
      o.help = true;
    } else if (a == "--syslog") {
      o.log_target = LogTarget::syslog;
    } else if (a == "--stdout") {
      o.log_target = LogTarget::stdout_;
    } else if (a == "--journal") {
      o.log_target = LogTarget::journal;
    } else {
      return fail(fmt::format("unknown option '{}'", a));
    }
    if (has_value && !(a == "-c" || a == "--config" || a == "-u" || a == "--user" || a == "-g" || a == "--group" ||
                       a == "-p" || a == "--pidfile" || a == "--metrics-addr"))
      return fail(fmt::format("option '{}' takes no argument", a));
  }
  if (o.help) return r;
  if (o.mktun && o.rmtun) return fail("--mktun and --rmtun are mutually exclusive");
  if ((o.mktun || o.rmtun) && (!o.user.empty() || !o.group.empty() || o.chroot))
    return fail("-u, -g and -r cannot be used with --mktun or --rmtun");
  if (o.chroot && o.user.empty()) return fail("--chroot needs --user to a non-root user");
  return r;
}

std::string usage(const std::string& prog) {
  return fmt::format(
      "Usage: {0} [-c|--config CONFIGFILE] [-d] [-n|--nodetach] [-u|--user USERID]\n"
      "       {1:{2}} [-g|--group GROUPID] [-r|--chroot] [-p|--pidfile PIDFILE]\n"
      "       {1:{2}} [--syslog|--stdout|--journal] [--metrics-addr HOST:PORT]\n"
      "       {0} --mktun [-c|--config CONFIGFILE]\n"
      "       {0} --rmtun [-c|--config CONFIGFILE]\n"
      "\n"
      "--config FILE      : Read configuration options from FILE (default /etc/tayga.conf)\n"
      "-d                 : Enable debug messages (implies --nodetach and --stdout)\n"
      "--nodetach         : Do not decouple from terminal\n"
      "--user USERID      : Set uid to USERID after initialization\n"
      "--group GROUPID    : Set gid to GROUPID after initialization\n"
      "--chroot           : chroot() to data-dir (specified in config file)\n"
      "--pidfile FILE     : Write process ID of daemon to FILE\n"
      "--mktun            : Create the persistent TUN device and exit\n"
      "--rmtun            : Remove the persistent TUN device and exit\n"
      "--syslog, --stdout : Where log messages go\n"
      "--journal          : Log to systemd's journal and notify it when ready\n"
      "--metrics-addr A   : Serve Prometheus metrics on A (as the metrics-addr directive)\n"
      "--help             : Print this message\n",
      prog, "", prog.size());
}

}  // namespace nat64
