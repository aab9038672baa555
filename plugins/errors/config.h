#pragma once
// The `errors` directive (CoreDNS's plugin/errors/README.md): `errors [stdout] { stacktrace;
// consolidate DURATION REGEXP [LEVEL] [show_first] }`, once per server block.
#include <optional>
#include <string>
#include <vector>

#include "core/corefile/dispenser.h"
#include "core/util/duration.h"
#include "core/util/log.h"
#include "core/util/regex.h"

namespace coredns::plugins::errors {

// One `consolidate` line: errors whose text matches `pattern` are counted over `period` and
// summed up in one line at `level`.
struct ConsolidateRule {
  Duration period{};
  std::string pattern_text;
  std::optional<Regex> pattern;  // always set by parse_config
  log::Level level = log::Level::error;
  bool show_first = false;  // print the first error of each period as it happens
};

struct ErrorsConfig {
  bool stacktrace = false;
  std::vector<ConsolidateRule> consolidate;
};

// Reads every `errors` line of a block (a second one is an error). Throws ConfigError.
ErrorsConfig parse_config(corefile::Dispenser& d);

}  // namespace coredns::plugins::errors
