#pragma once
// The current time as text, for the places that print it the way Go does (the HTTP Date header,
// the log package's prefix).
#include <string>

namespace coredns {

enum class Zone { utc, local };

// std::strftime of now in `zone`; `format` must yield fewer than 64 characters.
std::string format_now(const char* format, Zone zone);

}  // namespace coredns
