#pragma once
#include "core/plugin/request.h"
#include "plugins/log/format.h"

namespace coredns::plugins::querylog {

// The query line as a JSON object of named fields (-log-format=json); see README.md.
void write_json_line(const Request& req, const ReplySummary& r);

}  // namespace coredns::plugins::querylog
