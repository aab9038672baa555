#pragma once
// Go's strconv.Quote (what fmt's %q prints for a string), for error texts that must match
// CoreDNS's byte for byte.
#include <string>
#include <string_view>

namespace coredns {

std::string go_quote(std::string_view text);

}  // namespace coredns
