#pragma once
// The log line format: CoreDNS's placeholders ({remote}, {>rflags}, ...) compiled once at setup
// into literal and placeholder segments, rendered per query into a reused buffer.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/plugin/request.h"

namespace coredns::plugins::querylog {

inline constexpr std::string_view kCommonFormat =
    R"({remote}:{port} - {>id} "{type} {class} {name} {proto} {size} {>do} {>bufsize}" {rcode} {>rflags} {rsize} {duration})";
inline constexpr std::string_view kCombinedFormat =
    R"({remote}:{port} - {>id} "{type} {class} {name} {proto} {size} {>do} {>bufsize}" {rcode} {>rflags} {rsize} {duration} "{>opcode}")";

// What the log line says about the reply the client gets.
struct ReplySummary {
  bool has_message = false;  // false: nothing written and nothing the server would write
  uint16_t rcode = 0;        // full rcode (header and OPT bits)
  uint16_t flags = 0;        // header flags of the final (scrubbed) message
  size_t size = 0;           // {rsize}: uncompressed size of what the plugins below wrote
  std::chrono::nanoseconds duration{0};
};

enum class Field : uint8_t {
  literal, type, name, qclass, proto, remote, port, local, size, id, opcode, do_bit, bufsize,
  rcode, rsize, rflags, duration, metadata,
};

struct Segment {
  Field field = Field::literal;
  std::string text;  // the literal text, or the metadata label
};

using Format = std::vector<Segment>;

// Replaces {common} and {combined} textually, so they can be mixed with other text.
std::string expand_aliases(std::string_view format);

// Splits a format into segments: each '}' closes the nearest '{' before it; a known placeholder
// becomes a field, {/LABEL} a metadata lookup, anything else stays literal text.
Format compile(std::string_view format);

// Appends the formatted line (without the "[INFO] " prefix) to `out`.
void render(std::string& out, const Format& format, const Request& req, const ReplySummary& r);

// Go's strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s": "0.000085207s", "1.5s", "0s".
void append_seconds(std::string& out, std::chrono::nanoseconds d);
// The header flags set in `flags` as "qr,aa,tc,rd,ra,z,ad,cd" would list them.
void append_flags(std::string& out, uint16_t flags);
// An endpoint's IP with IPv6 in brackets, as {remote} and {local} show it.
void append_ip(std::string& out, const Endpoint& e, bool brackets);

}  // namespace coredns::plugins::querylog
