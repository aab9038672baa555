#pragma once
// The hosts-file format as CoreDNS reads it (the same for the file and for inline lines):
// `ADDRESS NAME...` per line, `#` starts a comment anywhere, fields split on any Unicode white
// space, an IPv6 zone (`%lo0`) dropped, IPv4-mapped IPv6 taken as IPv4, names lower-cased and
// made fully qualified. A line whose first field is no address is ignored. Unlike CoreDNS,
// lines of any length are read (its scanner stopped the whole file at a line over 64 KiB).
#include <cstddef>
#include <string_view>

#include "core/plugin/zones.h"
#include "plugins/hosts/store.h"

namespace coredns::plugins::hosts {

struct ParseStats {
  size_t lines = 0;
  size_t ignored = 0;  // lines with text but no address in front, or no name after it
};

// Adds every line's (address, name) pairs to `out`; names outside `zones` are left out.
ParseStats parse_hosts(std::string_view text, const ZoneSet& zones, StoreBuilder& out);

// Parses one address field (zone suffix already dropped): 4 bytes for IPv4 (also when written
// as IPv4-mapped IPv6), 16 for IPv6, 0 if it is no address. IPv4 takes Go's rules: four
// decimal parts, no leading zeros.
int parse_address(std::string_view text, uint8_t out[16]);

}  // namespace coredns::plugins::hosts
