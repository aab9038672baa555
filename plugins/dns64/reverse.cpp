#include "plugins/dns64/reverse.h"

#include <fmt/format.h>

#include "core/dns/builder.h"
#include "core/dns/types.h"
#include "plugins/dns64/synthesis.h"

namespace coredns::plugins::dns64 {
namespace {

int nibble(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// "\3ip6\4arpa\0"
constexpr uint8_t kIp6Arpa[] = {3, 'i', 'p', '6', 4, 'a', 'r', 'p', 'a', 0};

}  // namespace

std::optional<Ipv6> parse_ip6_arpa(const dns::Name& lower) {
  const auto wire = lower.wire();
  constexpr size_t kNibbleBytes = 32 * 2;
  if (wire.size() != kNibbleBytes + sizeof kIp6Arpa ||
      !std::equal(std::begin(kIp6Arpa), std::end(kIp6Arpa), wire.begin() + kNibbleBytes))
    return std::nullopt;
  Ipv6 out{};
  // The first label is the lowest nibble of the last byte.
  for (size_t i = 0; i < 32; ++i) {
    if (wire[2 * i] != 1) return std::nullopt;
    const int v = nibble(wire[2 * i + 1]);
    if (v < 0) return std::nullopt;
    const size_t byte = 15 - i / 2;
    out[byte] = static_cast<uint8_t>(out[byte] | (i % 2 == 0 ? v : v << 4));
  }
  return out;
}

dns::Name in_addr_arpa(const Ipv4& v4) {
  static constexpr uint8_t kInAddrArpa[] = {7,   'i', 'n', '-', 'a', 'd', 'd',
                                            'r', 4,   'a', 'r', 'p', 'a', 0};
  uint8_t wire[4 * 4 + sizeof kInAddrArpa];
  size_t n = 0;
  for (int i = 3; i >= 0; --i) {
    const auto text = fmt::format_int(v4[static_cast<size_t>(i)]);
    wire[n++] = static_cast<uint8_t>(text.size());
    for (char c : std::string_view(text.data(), text.size())) wire[n++] = static_cast<uint8_t>(c);
  }
  for (uint8_t c : kInAddrArpa) wire[n++] = c;
  dns::Name name;
  dns::Name::from_wire({wire, n}, name);
  return name;
}

uint16_t assemble_reverse(std::vector<uint8_t>& out, const dns::MessageView& query,
                          const dns::Name& target, const dns::MessageView& lookup) {
  const auto msg = lookup.bytes();
  const uint16_t rcode = lookup.header().rcode();
  dns::MessageBuilder b(out, lookup_reply_header(query, lookup));
  b.add_question_from(query);
  b.add_name_record(dns::Section::answer, query.question_name(), dns::type::CNAME, dns::cls::IN,
                    kCnameTtl, target);
  for (int s = 0; s < 3; ++s) {
    const auto section = static_cast<dns::Section>(s);
    for (const dns::RecordView& rr : lookup.records(section)) b.copy_record(section, msg, rr);
  }
  b.finish();
  return rcode;
}

}  // namespace coredns::plugins::dns64
