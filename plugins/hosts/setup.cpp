#include <sys/stat.h>

#include <cerrno>
#include <memory>

#include <fmt/format.h>

#include "core/plugin/registry.h"
#include "core/plugin/setup.h"
#include "core/util/duration.h"
#include "core/util/errno_text.h"
#include "core/util/go_strconv.h"
#include "core/util/log.h"
#include "plugins/hosts/hosts.h"
#include "plugins/hosts/parse.h"

namespace coredns::plugins {
namespace {

const log::PluginLogger logger = log::plugin_logger("hosts");

void check_file(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      logger.warning("File does not exist: " + path);
      return;
    }
    throw ConfigError(fmt::format("unable to access hosts file '{}': stat {}: {}", path, path,
                                  go_errno_text(errno)));
  }
  if (S_ISDIR(st.st_mode))
    logger.warning(fmt::format("Hosts file \"{}\" is a directory", path));
}

// A block line that is no keyword is an inline hosts line (CoreDNS's rule), also when it holds a
// mistyped keyword: CoreDNS then ignores it without a word; this says so.
void add_inline(corefile::Dispenser& d, hosts::Options& o) {
  std::string line = d.val();
  for (const auto& a : d.remaining_args()) line += " " + a;
  hosts::StoreBuilder probe(false);
  hosts::ParseStats stats = hosts::parse_hosts(line, ZoneSet({"."}), probe);
  if (stats.ignored)
    logger.warning(fmt::format("{}:{} - ignoring '{}': not an 'ADDRESS NAME...' hosts line",
                               d.file(), d.line(), line));
  o.inline_text += line;
  o.inline_text += '\n';
}

void parse_block(corefile::Dispenser& d, hosts::Options& o) {
  bool seen_fall = false;
  while (d.next_block()) {
    const std::string word = d.val();
    if (word == "fallthrough") {
      o.fall.set(d.remaining_args());
      seen_fall = true;
    } else if (word == "fallthrough_unsupported") {
      if (d.next_arg()) throw d.arg_err();
      o.fall_unsupported = true;
    } else if (word == "no_reverse") {
      o.reverse = false;
    } else if (word == "ttl") {
      auto args = d.remaining_args();
      if (args.empty()) throw d.err("ttl needs a time in second");
      int64_t ttl;
      try {
        ttl = go_atoi(args[0]);
      } catch (const ConfigError&) {
        throw d.err("ttl needs a number of second");
      }
      if (ttl <= 0 || ttl > 65535) throw d.err("ttl provided is invalid");
      o.ttl = static_cast<uint32_t>(ttl);
    } else if (word == "reload") {
      auto args = d.remaining_args();
      if (args.size() != 1) throw d.err("reload needs a duration (zero seconds to disable)");
      try {
        o.reload = parse_duration(args[0]);
      } catch (const ConfigError&) {
        throw d.err(fmt::format("invalid duration for reload '{}'", args[0]));
      }
      if (o.reload.count() < 0)
        throw d.err(fmt::format("invalid negative duration for reload '{}'", args[0]));
    } else if (!seen_fall) {
      add_inline(d, o);
    } else {
      throw d.err(fmt::format("unknown property '{}'", word));
    }
  }
  if (o.fall_unsupported && !o.fall.enabled())
    throw d.err("fallthrough_unsupported requires fallthrough");
}

void setup(SetupContext& c) {
  hosts::Options o;
  c.d.next();
  auto args = c.d.remaining_args();
  if (!args.empty()) o.path = args[0];
  o.zones = origins_from_args_or_block(
      std::vector<std::string>(args.empty() ? args.begin() : args.begin() + 1, args.end()),
      c.zones());
  check_file(o.path);
  parse_block(c.d, o);
  if (c.d.next()) throw ConfigError("this plugin can only be used once per Server Block");

  auto h = std::make_shared<hosts::Hosts>(std::move(o));
  c.lifecycle().startup.push_back([h] { h->start(); });
  c.lifecycle().shutdown.push_back([h] { h->stop(); });
  c.add_handler(h);
}

}  // namespace

const PluginDef& plugin_hosts() {
  static const PluginDef def{setup};
  return def;
}

}  // namespace coredns::plugins
