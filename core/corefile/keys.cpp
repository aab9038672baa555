#include "core/corefile/keys.h"

#include <array>
#include <cctype>
#include <cstdint>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "core/corefile/reverse_zones.h"
#include "core/util/error.h"
#include "core/util/go_quote.h"

namespace coredns::corefile {
namespace {

struct Scheme {
  std::string_view prefix;
  std::string_view transport;
  std::string_view default_port;  // empty: the -dns.port value (dns) or none (unix)
};

// In the order CoreDNS tries them. Any other "xyz://" stays part of the zone text.
constexpr std::array<Scheme, 7> schemes{{
    {"tls://", "tls", "853"},
    {"dns://", "dns", ""},
    {"quic://", "quic", "853"},
    {"grpc://", "grpc", "443"},
    {"https3://", "https3", "443"},
    {"https://", "https", "443"},
    {"unix://", "unix", ""},
}};

// Go's strconv.Atoi: optional sign, decimal digits, within int64.
std::optional<std::int64_t> parse_go_int(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  const std::uint64_t limit = negative ? std::uint64_t{1} << 63 : (std::uint64_t{1} << 63) - 1;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (limit - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return negative ? static_cast<std::int64_t>(0 - value) : static_cast<std::int64_t>(value);
}

bool is_ddd(std::string_view s) {
  return s.size() >= 3 && std::isdigit(static_cast<unsigned char>(s[0])) &&
         std::isdigit(static_cast<unsigned char>(s[1])) &&
         std::isdigit(static_cast<unsigned char>(s[2]));
}

// A name ends with an unescaped dot (an even number of backslashes before the final dot).
bool is_fqdn(std::string_view name) {
  if (name.empty() || name.back() != '.') return false;
  std::size_t backslashes = 0;
  for (std::size_t i = name.size() - 1; i > 0 && name[i - 1] == '\\'; --i) ++backslashes;
  return backslashes % 2 == 0;
}

// Presentation-format domain name syntax as the DNS library checks it: labels of 1-63 octets
// (`\X` and `\DDD` count as one), no empty label except the root, at most 255 octets on the
// wire, no dangling escape.
bool is_domain_name(std::string_view text) {
  if (text.empty()) return false;
  std::string name(text);
  if (!is_fqdn(name)) name += '.';
  constexpr std::size_t max_wire_length = 256;
  std::size_t wire_length = 0;
  std::size_t label_length = 0;
  bool previous_was_dot = false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '\\') {
      if (i + 1 >= name.size()) return false;
      i += is_ddd(std::string_view(name).substr(i + 1)) ? 3 : 1;
      if (i >= name.size()) return false;
      ++label_length;
      previous_was_dot = false;
      continue;
    }
    if (c != '.') {
      ++label_length;
      previous_was_dot = false;
      continue;
    }
    if (i == 0 && name.size() > 1) return false;  // only the root may start with a dot
    if (previous_was_dot) return false;
    previous_was_dot = true;
    if (label_length >= 64) return false;
    wire_length += 1 + label_length;
    if (wire_length > max_wire_length) return false;
    label_length = 0;
  }
  // An escape that swallowed the final dot leaves the last label unterminated.
  return previous_was_dot;
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string fully_qualified(std::string name) {
  if (!is_fqdn(name)) name += '.';
  return name;
}

}  // namespace

std::string ZoneAddress::str() const { return transport + "://" + zone + ":" + port; }

std::vector<ZoneAddress> normalize_keys(const std::vector<std::string>& keys,
                                        std::string_view default_port) {
  std::vector<ZoneAddress> addresses;
  for (const std::string& key : keys) {
    std::string_view rest = key;
    Scheme scheme{"", "dns", ""};
    for (const Scheme& candidate : schemes) {
      if (rest.starts_with(candidate.prefix)) {
        scheme = candidate;
        rest.remove_prefix(candidate.prefix.size());
        break;
      }
    }

    // The port is what follows the last colon, if it is a number; otherwise the colon is part
    // of the zone text. (An empty text also counts as "ending in a colon" upstream.)
    const std::size_t colon = rest.rfind(':');
    if (rest.empty() || colon == rest.size() - 1) {
      throw ConfigError("expecting data after last colon: " + go_quote(rest));
    }
    std::string port;
    if (colon != std::string_view::npos) {
      if (const auto number = parse_go_int(rest.substr(colon + 1))) {
        port = std::to_string(*number);
        rest = rest.substr(0, colon);
      }
    }

    if (rest.size() > 255) {
      throw ConfigError(fmt::format("specified zone is too long: {} > 255", rest.size()));
    }
    if (!is_domain_name(rest)) {
      throw ConfigError(fmt::format("zone is not a valid domain name: {}", rest));
    }
    if (port.empty()) {
      port = scheme.transport == "dns" ? std::string(default_port) : std::string(scheme.default_port);
    }

    const auto transport = std::string(scheme.transport);
    if (auto reverse = reverse_zones(rest)) {
      for (auto& zone : *reverse) addresses.push_back({transport, std::move(zone), port});
    } else {
      addresses.push_back({transport, fully_qualified(ascii_lower(rest)), port});
    }
  }
  return addresses;
}

void check_port(const ZoneAddress& address) {
  if (address.port.empty()) return;
  const auto number = parse_go_int(address.port);
  if (!number || *number < 0 || *number > 65535) {
    throw ConfigError(fmt::format("address {}: invalid port", address.port));
  }
}

bool follows_rfc1035(std::string_view zone) {
  auto is_letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  auto is_letter_digit = [&](char c) { return is_letter(c) || (c >= '0' && c <= '9'); };
  if (zone.empty() || zone.back() != '.') return false;
  std::size_t start = 0;
  while (start < zone.size()) {
    const std::size_t dot = zone.find('.', start);
    const std::string_view label = zone.substr(start, dot - start);
    if (label.empty() || !is_letter(label.front()) || !is_letter_digit(label.back())) return false;
    for (const char c : label) {
      if (!is_letter_digit(c) && c != '-') return false;
    }
    start = dot + 1;
  }
  return true;
}

bool is_reverse_zone(std::string_view zone) {
  const std::string lower = ascii_lower(zone);
  return lower == "in-addr.arpa." || lower == "ip6.arpa." || lower.ends_with(".in-addr.arpa.") ||
         lower.ends_with(".ip6.arpa.");
}

}  // namespace coredns::corefile
