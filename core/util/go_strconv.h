#pragma once
// Go's strconv.Atoi, for directive arguments whose error text CoreDNS passes through unchanged.
#include <cstdint>
#include <string_view>

namespace coredns {

// An optional sign and decimal digits within int64. Throws ConfigError with Go's text:
// `strconv.Atoi: parsing "x": invalid syntax` or `... value out of range`.
int64_t go_atoi(std::string_view text);

}  // namespace coredns
