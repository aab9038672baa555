#include "plugins/errors/config.h"

#include "core/util/error.h"

namespace coredns::plugins::errors {
namespace {

bool parse_level(const std::string& word, log::Level& out) {
  if (word == "warning") out = log::Level::warning;
  else if (word == "error") out = log::Level::error;
  else if (word == "info") out = log::Level::info;
  else if (word == "debug") out = log::Level::debug;
  else return false;
  return true;
}

ConsolidateRule parse_consolidate(corefile::Dispenser& d) {
  const std::vector<std::string> args = d.remaining_args();
  if (args.size() < 2 || args.size() > 4) throw d.arg_err();
  ConsolidateRule rule;
  try {
    rule.period = parse_duration(args[0]);
    Regex::check_length(args[1]);
    rule.pattern.emplace(args[1]);
  } catch (const ConfigError& e) {
    throw d.err(e.what());
  }
  rule.pattern_text = args[1];
  bool level_given = false;
  for (size_t i = 2; i < args.size(); ++i) {
    log::Level level;
    if (args[i] == "show_first") {
      rule.show_first = true;
    } else if (parse_level(args[i], level)) {
      if (rule.show_first) throw d.err("log level must come before show_first in consolidate");
      if (level_given) throw d.err("multiple log levels specified in consolidate");
      rule.level = level;
      level_given = true;
    } else {
      throw d.err("unknown option in consolidate: " + args[i]);
    }
  }
  return rule;
}

}  // namespace

ErrorsConfig parse_config(corefile::Dispenser& d) {
  ErrorsConfig config;
  bool seen = false;
  while (d.next()) {
    if (seen) throw ConfigError("this plugin can only be used once per Server Block");
    seen = true;
    const std::vector<std::string> args = d.remaining_args();
    if (args.size() > 1) throw d.arg_err();
    // Errors always go to the process log (stdout); "stdout" is the only "file" accepted.
    if (args.size() == 1 && args[0] != "stdout") throw d.err("invalid log file: " + args[0]);
    while (d.next_block()) {
      if (d.val() == "stacktrace")
        config.stacktrace = true;
      else if (d.val() == "consolidate")
        config.consolidate.push_back(parse_consolidate(d));
      else
        throw d.syntax_err("Unknown field " + d.val());
    }
  }
  return config;
}

}  // namespace coredns::plugins::errors
