#include "plugins/nat64/prefix_check.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include "core/corefile/dispenser.h"

namespace coredns::plugins::nat64 {

std::optional<Prefix6> parse_dns64_prefix(std::string_view text) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string addr(text.substr(0, slash));
  const std::string_view len = text.substr(slash + 1);
  if (len.empty() || len.size() > 3 || len.find_first_not_of("0123456789") != std::string_view::npos)
    return std::nullopt;
  Prefix6 p;
  p.length = std::stoi(std::string(len));
  if (p.length != 32 && p.length != 40 && p.length != 48 && p.length != 56 && p.length != 64 &&
      p.length != 96)
    return std::nullopt;
  if (inet_pton(AF_INET6, addr.c_str(), p.bytes.data()) != 1) return std::nullopt;
  for (size_t i = static_cast<size_t>(p.length) / 8; i < p.bytes.size(); ++i) p.bytes[i] = 0;
  return p;
}

std::vector<Dns64Prefix> dns64_prefixes(const std::vector<corefile::ServerBlock>& blocks,
                                        const std::string& main_file) {
  static const Prefix6 well_known{{0x00, 0x64, 0xff, 0x9b}, 96};
  std::vector<Dns64Prefix> out;
  for (const corefile::ServerBlock& block : blocks) {
    const corefile::Tokens* tokens = block.find("dns64");
    if (!tokens) continue;
    corefile::Dispenser d(*tokens, main_file);
    while (d.next()) {
      Dns64Prefix found{well_known, fmt::format("{}:{}", d.file(), d.line())};
      const auto args = d.remaining_args();
      if (args.size() == 1)
        if (auto p = parse_dns64_prefix(args[0])) found.prefix = *p;
      while (d.next_block()) {
        const bool is_prefix = d.val() == "prefix";
        const std::string where = fmt::format("{}:{}", d.file(), d.line());
        const auto option_args = d.remaining_args();
        // The warning points at the line to edit: the block's `prefix` when it set the prefix.
        if (is_prefix && option_args.size() == 1)
          if (auto p = parse_dns64_prefix(option_args[0])) {
            found.prefix = *p;
            found.where = where;
          }
      }
      out.push_back(std::move(found));
    }
  }
  return out;
}

std::vector<std::string> prefix_warnings(const std::vector<Dns64Prefix>& dns64, const ChildSpec& spec) {
  std::vector<std::string> out;
  for (const Dns64Prefix& d : dns64) {
    if (spec.prefix && *spec.prefix == d.prefix) continue;
    const std::string nat64 =
        spec.prefix ? fmt::format("translates {}", spec.prefix->to_text()) : "has no prefix";
    out.push_back(fmt::format(
        "dns64 at {} synthesizes into {} but nat64 at {} {}: clients would get IPv6 addresses this "
        "nat64 does not translate",
        d.where, d.prefix.to_text(), spec.where, nat64));
  }
  return out;
}

}  // namespace coredns::plugins::nat64
