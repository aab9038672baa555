#include "plugins/log/format.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <iterator>

#include "core/dns/header.h"
#include "core/dns/types.h"

namespace coredns::plugins::querylog {
namespace {

struct Placeholder {
  std::string_view text;
  Field field;
};

constexpr Placeholder kPlaceholders[] = {
    {"{type}", Field::type},       {"{name}", Field::name},      {"{class}", Field::qclass},
    {"{proto}", Field::proto},     {"{remote}", Field::remote},  {"{port}", Field::port},
    {"{local}", Field::local},     {"{size}", Field::size},      {"{>id}", Field::id},
    {"{>opcode}", Field::opcode},  {"{>do}", Field::do_bit},     {"{>bufsize}", Field::bufsize},
    {"{rcode}", Field::rcode},     {"{rsize}", Field::rsize},    {"{>rflags}", Field::rflags},
    {"{duration}", Field::duration},
};

// Without the metadata plugin no label has a value; CoreDNS prints this then.
constexpr std::string_view kEmptyValue = "-";

void add_literal(Format& f, std::string_view text) {
  if (text.empty()) return;
  if (!f.empty() && f.back().field == Field::literal)
    f.back().text.append(text);
  else
    f.push_back({Field::literal, std::string(text)});
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

template <typename T>
void append_number(std::string& out, T value) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, res.ptr);
}

}  // namespace

std::string expand_aliases(std::string_view format) {
  std::string s(format);
  replace_all(s, "{common}", kCommonFormat);
  replace_all(s, "{combined}", kCombinedFormat);
  return s;
}

Format compile(std::string_view s) {
  Format f;
  while (true) {
    const size_t close = s.find('}');
    if (close == std::string_view::npos) break;
    const size_t open = s.substr(0, close).rfind('{');
    if (open == std::string_view::npos) {
      add_literal(f, s.substr(0, close + 1));
      s.remove_prefix(close + 1);
      continue;
    }
    add_literal(f, s.substr(0, open));
    const std::string_view label = s.substr(open, close + 1 - open);
    bool known = false;
    for (const auto& p : kPlaceholders) {
      if (p.text == label) {
        f.push_back({p.field, {}});
        known = true;
        break;
      }
    }
    if (!known && label.starts_with("{/"))
      f.push_back({Field::metadata, std::string(label.substr(2, label.size() - 3))});
    else if (!known)
      add_literal(f, label);
    s.remove_prefix(close + 1);
  }
  add_literal(f, s);
  return f;
}

void append_seconds(std::string& out, std::chrono::nanoseconds d) {
  // As Go's Duration.Seconds() printed by strconv.FormatFloat(s, 'f', -1, 64): whole seconds
  // and the remainder converted separately, then the fewest decimals that read back as the same
  // double. Under a second (every query but the slowest) that double is the nearest to exactly
  // ns/1e9, a decimal of at most 9 significant digits, and no shorter decimal reads back as it
  // (decimals of up to 15 digits map to distinct doubles), so the digits are the integer's.
  // Formatting doubles ourselves keeps libstdc++'s 129 KB std::to_chars(double) tables out of the
  // static binary (docs/container.md, "Size budget").
  const int64_t ns = d.count();
  if (ns >= 0 && ns < 1'000'000'000) {
    if (ns == 0) {
      out.append("0s");
      return;
    }
    char digits[10];
    fmt::format_to(digits, "{:09d}", ns);
    size_t end = 9;
    while (digits[end - 1] == '0') --end;
    out.append("0.");
    out.append(digits, end);
    out.push_back('s');
    return;
  }
  const double secs = static_cast<double>(ns / 1'000'000'000) +
                      static_cast<double>(ns % 1'000'000'000) / 1e9;
  char buf[64];
  for (int decimals = 0; decimals <= 17; ++decimals) {
    const int n = std::snprintf(buf, sizeof buf, "%.*f", decimals, secs);
    if (decimals == 17 || std::strtod(buf, nullptr) == secs) {
      out.append(buf, static_cast<size_t>(n));
      break;
    }
  }
  out.push_back('s');
}

void append_flags(std::string& out, uint16_t flags) {
  using dns::Header;
  static constexpr std::pair<uint16_t, std::string_view> kFlags[] = {
      {Header::QR, "qr"}, {Header::AA, "aa"}, {Header::TC, "tc"}, {Header::RD, "rd"},
      {Header::RA, "ra"}, {Header::Z, "z"},   {Header::AD, "ad"}, {Header::CD, "cd"},
  };
  bool first = true;
  for (const auto& [bit, text] : kFlags) {
    if (!(flags & bit)) continue;
    if (!first) out.push_back(',');
    out.append(text);
    first = false;
  }
}

void append_ip(std::string& out, const Endpoint& e, bool brackets) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (e.family() == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&e.addr)->sin_addr, buf, sizeof buf);
    out.append(buf);
  } else if (e.family() == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&e.addr)->sin6_addr, buf,
              sizeof buf);
    if (brackets) out.push_back('[');
    out.append(buf);
    if (brackets) out.push_back(']');
  }
}

void render(std::string& out, const Format& format, const Request& req, const ReplySummary& r) {
  for (const Segment& seg : format) {
    switch (seg.field) {
      case Field::literal: out.append(seg.text); break;
      case Field::type: out.append(dns::type_name(req.qtype())); break;
      case Field::name: req.qname_lower().append_text(out); break;
      case Field::qclass: out.append(dns::class_name(req.qclass())); break;
      case Field::proto: out.append(req.tcp() ? "tcp" : "udp"); break;
      case Field::remote: append_ip(out, req.remote(), true); break;
      case Field::port: append_number(out, req.remote().port()); break;
      case Field::local: append_ip(out, req.local(), true); break;
      case Field::size: append_number(out, req.msg().uncompressed_size()); break;
      case Field::id: append_number(out, req.id()); break;
      case Field::opcode: append_number(out, int{req.msg().header().opcode()}); break;
      case Field::do_bit: out.append(req.do_bit() ? "true" : "false"); break;
      case Field::bufsize: append_number(out, req.size_limit()); break;
      case Field::rcode:
        if (r.has_message)
          out.append(dns::rcode_name(r.rcode));
        else
          out.append(kEmptyValue);
        break;
      case Field::rsize: append_number(out, r.size); break;
      case Field::rflags:
        if (r.has_message)
          append_flags(out, r.flags);
        else
          out.append(kEmptyValue);
        break;
      case Field::duration: append_seconds(out, r.duration); break;
      case Field::metadata: out.append(kEmptyValue); break;
    }
  }
}

}  // namespace coredns::plugins::querylog
