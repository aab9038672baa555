#include "plugins/hosts/parse.h"

#include <arpa/inet.h>

#include <cstring>

namespace coredns::plugins::hosts {
namespace {

// Length of the white space at `p` (Go's unicode.IsSpace, as strings.Fields splits), 0 if none.
size_t space_at(const char* p, const char* end) {
  auto c = static_cast<uint8_t>(p[0]);
  if (c < 0x80) return (c == ' ' || (c >= '\t' && c <= '\r')) ? 1 : 0;
  size_t left = static_cast<size_t>(end - p);
  auto c1 = left > 1 ? static_cast<uint8_t>(p[1]) : 0;
  auto c2 = left > 2 ? static_cast<uint8_t>(p[2]) : 0;
  if (c == 0xC2 && (c1 == 0x85 || c1 == 0xA0)) return 2;            // NEL, NBSP
  if (c == 0xE1 && c1 == 0x9A && c2 == 0x80) return 3;              // U+1680
  if (c == 0xE2 && c1 == 0x80 && ((c2 >= 0x80 && c2 <= 0x8A) || c2 == 0xA8 || c2 == 0xA9 ||
                                  c2 == 0xAF))
    return 3;                                                       // U+2000-200A, 2028/9, 202F
  if (c == 0xE2 && c1 == 0x81 && c2 == 0x9F) return 3;              // U+205F
  if (c == 0xE3 && c1 == 0x80 && c2 == 0x80) return 3;              // U+3000
  return 0;
}

// Next field of [p, end): skips white space, returns the field and advances p past it.
std::string_view next_field(const char*& p, const char* end) {
  while (p < end) {
    size_t n = space_at(p, end);
    if (n == 0) break;
    p += n;
  }
  const char* start = p;
  while (p < end && space_at(p, end) == 0) ++p;
  return {start, static_cast<size_t>(p - start)};
}

bool to_name(std::string_view field, dns::Name& out) {
  if (!dns::Name::from_text(field, out)) return false;
  out.to_lower();
  return true;
}

void parse_line(std::string_view line, const ZoneSet& zones, StoreBuilder& out,
                ParseStats& stats) {
  if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
  const char* p = line.data();
  const char* end = p + line.size();
  std::string_view addr_field = next_field(p, end);
  if (addr_field.empty()) return;
  std::string_view first_name = next_field(p, end);
  if (first_name.empty()) {
    stats.ignored++;
    return;
  }
  if (auto pct = addr_field.find('%'); pct != std::string_view::npos)
    addr_field = addr_field.substr(0, pct);
  uint8_t addr[16];
  int len = parse_address(addr_field, addr);
  if (len == 0) {
    stats.ignored++;
    return;
  }
  dns::Name name;
  for (std::string_view f = first_name; !f.empty(); f = next_field(p, end)) {
    // A name that is no valid domain name (an empty or over-long label) can never be asked.
    if (!to_name(f, name) || !zones.contains(name)) continue;
    if (len == 4)
      out.add_v4(addr, name);
    else
      out.add_v6(addr, name);
  }
}

}  // namespace

int parse_address(std::string_view text, uint8_t out[16]) {
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof buf) return 0;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  // glibc's inet_pton takes exactly Go's dotted quads: four parts, no leading zeros.
  if (inet_pton(AF_INET, buf, out) == 1) return 4;
  if (inet_pton(AF_INET6, buf, out) != 1) return 0;
  static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(out, mapped, 12) == 0) {
    std::memmove(out, out + 12, 4);
    return 4;
  }
  return 16;
}

ParseStats parse_hosts(std::string_view text, const ZoneSet& zones, StoreBuilder& out) {
  ParseStats stats;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    stats.lines++;
    parse_line(line, zones, out, stats);
  }
  return stats;
}

}  // namespace coredns::plugins::hosts
