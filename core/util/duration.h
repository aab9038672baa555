#pragma once
#include <chrono>
#include <string>
#include <string_view>

namespace coredns {

using Duration = std::chrono::nanoseconds;

// Go's time.ParseDuration: "300ms", "1.5h", "2h45m", "0". Throws ConfigError with Go's message
// (`time: invalid duration "x"`, `time: missing unit in duration "5"`, ...).
Duration parse_duration(std::string_view text);

// Go's Duration.String(): "0s", "500ms", "1.5µs", "5m0s", "1h0m0s".
std::string format_duration(Duration d);

}  // namespace coredns
