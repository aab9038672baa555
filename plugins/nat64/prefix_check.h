#pragma once
// The startup warning when dns64 and nat64 disagree on the prefix: AAAA records synthesized into
// one prefix while the translator translates another reach nothing.
//
// dns64 is another plugin; its prefix is read from the Corefile's dns64 directives themselves
// (SetupContext::server_blocks()), with dns64's rules: `dns64 PREFIX`, or `prefix PREFIX` in its
// block (the later one wins), else 64:ff9b::/96. Every dns64 of the configuration counts, in
// any server block: the translator serves the host, not one zone.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/corefile/parser.h"
#include "plugins/nat64/directive.h"

namespace coredns::plugins::nat64 {

struct Dns64Prefix {
  Prefix6 prefix;
  std::string where;  // "Corefile:3": the dns64 directive, or its block's `prefix` line
};

// "ADDR/LEN" with host bits cleared, as dns64 reads it; nothing when it is not an IPv6 CIDR with
// an RFC 6052 length (dns64's own setup rejects those before nat64's runs).
std::optional<Prefix6> parse_dns64_prefix(std::string_view text);

// The prefix of every dns64 directive occurrence, block by block, in Corefile order.
// `main_file` names tokens of the main Corefile (imported ones carry their own file).
std::vector<Dns64Prefix> dns64_prefixes(const std::vector<corefile::ServerBlock>& blocks,
                                        const std::string& main_file);

// One warning text per dns64 whose prefix is not `spec`'s (none when there is no dns64).
std::vector<std::string> prefix_warnings(const std::vector<Dns64Prefix>& dns64, const ChildSpec& spec);

}  // namespace coredns::plugins::nat64
