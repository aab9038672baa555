#pragma once
// The directive of a plugin that only names the HTTP address it serves on, as CoreDNS's
// prometheus and ready: `NAME [ADDRESS]`, once per server block.
#include <string>

#include "core/corefile/dispenser.h"

namespace coredns::http {

// Reads every line of the directive: ADDRESS (Go's host:port, checked as Go checks it) or
// `fallback` without one. Throws ConfigError with CoreDNS's texts (a second line, two arguments,
// a malformed address).
std::string parse_address_directive(corefile::Dispenser& d, std::string fallback);

}  // namespace coredns::http
