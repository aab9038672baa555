#pragma once
// One resource record in zone-file presentation format (RFC 1035 §5.1), as a configuration or a
// plugin writes it: "www.example. 60 IN A 192.0.2.1". Used where a plugin turns text into a
// record it answers with.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dns/name.h"

namespace coredns::dns {

struct TextRecord {
  Name owner;
  uint16_t type = 0;
  uint16_t rclass = 0;
  uint32_t ttl = 0;
  // Uncompressed wire RDATA. For CNAME, NS, PTR and DNAME, `target` holds the name too, so that
  // a writer may compress it.
  std::vector<uint8_t> rdata;
  Name target;
};

// A class mnemonic ("IN", "CH", ..., "ANY") or RFC 3597's "CLASS42"; false if neither.
bool parse_class(std::string_view text, uint16_t& out);

// Parses the first record of `text`. Names are absolute (a name without a trailing dot is taken
// relative to the root, "@" is the root); TTL and class are optional and may come in either
// order (default `default_ttl` and IN); mnemonics ignore case; parentheses continue a record
// over lines and ';' starts a comment. RDATA: A, AAAA, NS, CNAME, PTR, DNAME, MX, KX, AFSDB,
// SRV, SOA, TXT, SPF, HINFO, and RFC 3597's generic "\# LEN HEX" for any type. $-directives are
// not supported. Returns nullopt with `error` empty when the text holds no record (only blanks
// and comments), nullopt with `error` set when it does not form one.
std::optional<TextRecord> parse_rr_text(std::string_view text, uint32_t default_ttl,
                                        std::string& error);

}  // namespace coredns::dns
