#include "core/dns/rr_text.h"

#include <arpa/inet.h>

#include <fmt/format.h>

#include "core/dns/types.h"

namespace coredns::dns {
namespace {

struct Token {
  std::string text;  // escapes kept for names (Name::from_text reads them), quotes removed
  bool quoted = false;
};

class Error : public std::exception {
 public:
  explicit Error(std::string m) : message(std::move(m)) {}
  std::string message;
};

// Splits the first record's tokens: blanks separate, '(' and ')' let it run over lines, a
// newline outside them ends it, ';' comments to the end of the line, "..." is one token.
std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> out;
  int depth = 0;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '\n') {
      if (depth == 0 && !out.empty()) break;
      ++i;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
    } else if (c == ';') {
      while (i < s.size() && s[i] != '\n') ++i;
    } else if (c == '(') {
      ++depth;
      ++i;
    } else if (c == ')') {
      if (--depth < 0) throw Error("dns: extra closing brace");
      ++i;
    } else if (c == '"') {
      Token t{{}, true};
      ++i;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size()) t.text.push_back(s[i++]);
        t.text.push_back(s[i++]);
      }
      if (i == s.size()) throw Error("dns: unbalanced quotes");
      ++i;
      out.push_back(std::move(t));
    } else {
      Token t;
      while (i < s.size() && std::string_view(" \t\r\n;()\"").find(s[i]) == std::string_view::npos) {
        if (s[i] == '\\' && i + 1 < s.size()) t.text.push_back(s[i++]);
        t.text.push_back(s[i++]);
      }
      out.push_back(std::move(t));
    }
  }
  if (depth > 0 && i == s.size()) throw Error("dns: unbalanced brace");
  return out;
}

std::string upper(std::string_view s) {
  std::string u(s);
  for (char& c : u)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return u;
}

bool parse_u32(std::string_view s, uint32_t& out) {
  if (s.empty() || s.size() > 10) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > 0xffffffffu) return false;
  out = static_cast<uint32_t>(v);
  return true;
}

Name name_of(const Token& t) {
  Name n;
  if (t.text == "@") return n;
  if (t.quoted || !Name::from_text(t.text, n)) throw Error(fmt::format("dns: bad name \"{}\"", t.text));
  return n;
}

void put16(std::vector<uint8_t>& out, uint32_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}
void put32(std::vector<uint8_t>& out, uint32_t v) {
  put16(out, v >> 16);
  put16(out, v & 0xffff);
}
void put_name(std::vector<uint8_t>& out, const Name& n) {
  out.insert(out.end(), n.data(), n.data() + n.size());
}

uint32_t number(const Token& t, uint32_t max, std::string_view what) {
  uint32_t v;
  if (t.quoted || !parse_u32(t.text, v) || v > max)
    throw Error(fmt::format("dns: bad {} \"{}\"", what, t.text));
  return v;
}

// A <character-string> (RFC 1035 §3.3) with \X and \DDD escapes resolved.
void put_string(std::vector<uint8_t>& out, const Token& t) {
  std::string s;
  const std::string& x = t.text;
  for (size_t i = 0; i < x.size(); ++i) {
    if (x[i] != '\\' || i + 1 == x.size()) {
      s.push_back(x[i]);
    } else if (i + 3 < x.size() + 0 && isdigit(static_cast<unsigned char>(x[i + 1])) &&
               isdigit(static_cast<unsigned char>(x[i + 2])) &&
               isdigit(static_cast<unsigned char>(x[i + 3]))) {
      const int v = (x[i + 1] - '0') * 100 + (x[i + 2] - '0') * 10 + (x[i + 3] - '0');
      if (v > 255) throw Error(fmt::format("dns: bad escape in \"{}\"", x));
      s.push_back(static_cast<char>(v));
      i += 3;
    } else {
      s.push_back(x[++i]);
    }
  }
  if (s.size() > 255) throw Error("dns: character-string longer than 255 octets");
  out.push_back(static_cast<uint8_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3597 §5: "\# LENGTH HEX..." (the hex may be split into several words).
void put_generic(TextRecord& rr, const std::vector<Token>& t, size_t i) {
  const uint32_t len = number(t[i + 1], 65535, "rdata length");
  std::string hex;
  for (size_t k = i + 2; k < t.size(); ++k) hex += t[k].text;
  if (hex.size() != 2 * size_t{len}) throw Error("dns: bad generic rdata length");
  for (size_t k = 0; k < hex.size(); k += 2) {
    const int a = hex_digit(hex[k]), b = hex_digit(hex[k + 1]);
    if (a < 0 || b < 0) throw Error("dns: bad generic rdata hex");
    rr.rdata.push_back(static_cast<uint8_t>(a * 16 + b));
  }
}

void put_rdata(TextRecord& rr, const std::vector<Token>& t, size_t i) {
  const size_t n = t.size() - i;
  auto need = [&](size_t count) {
    if (n != count)
      throw Error(fmt::format("dns: {} needs {} rdata fields, got {}", type_name(rr.type), count, n));
  };
  if (n >= 1 && !t[i].quoted && t[i].text == "\\#") {
    if (n < 2) throw Error("dns: bad generic rdata");
    put_generic(rr, t, i);
    return;
  }
  switch (rr.type) {
    case type::A:
    case type::AAAA: {
      need(1);
      uint8_t buf[16];
      const int af = rr.type == type::A ? AF_INET : AF_INET6;
      if (t[i].quoted || inet_pton(af, t[i].text.c_str(), buf) != 1)
        throw Error(fmt::format("dns: bad {} address \"{}\"", type_name(rr.type), t[i].text));
      rr.rdata.assign(buf, buf + (rr.type == type::A ? 4 : 16));
      return;
    }
    case type::NS:
    case type::CNAME:
    case type::PTR:
    case type::DNAME:
      need(1);
      rr.target = name_of(t[i]);
      put_name(rr.rdata, rr.target);
      return;
    case type::MX:
    case type::KX:
    case type::AFSDB:
      need(2);
      put16(rr.rdata, number(t[i], 65535, "preference"));
      put_name(rr.rdata, name_of(t[i + 1]));
      return;
    case type::SRV:
      need(4);
      for (size_t k = 0; k < 3; ++k) put16(rr.rdata, number(t[i + k], 65535, "SRV field"));
      put_name(rr.rdata, name_of(t[i + 3]));
      return;
    case type::SOA:
      need(7);
      put_name(rr.rdata, name_of(t[i]));
      put_name(rr.rdata, name_of(t[i + 1]));
      for (size_t k = 2; k < 7; ++k) put32(rr.rdata, number(t[i + k], 0xffffffffu, "SOA field"));
      return;
    case type::TXT:
    case type::SPF:
      if (n == 0) throw Error("dns: TXT needs at least one string");
      for (size_t k = i; k < t.size(); ++k) put_string(rr.rdata, t[k]);
      return;
    case type::HINFO:
      need(2);
      put_string(rr.rdata, t[i]);
      put_string(rr.rdata, t[i + 1]);
      return;
    default:
      throw Error(fmt::format("dns: no text form for type {} (use \\# LENGTH HEX)", type_name(rr.type)));
  }
}

}  // namespace

bool parse_class(std::string_view text, uint16_t& out) {
  for (uint16_t c : {cls::IN, cls::CS, cls::CH, cls::HS, cls::NONE, cls::ANY})
    if (class_name(c) == text) {
      out = c;
      return true;
    }
  if (!text.starts_with("CLASS") || text.size() == 5) return false;
  uint32_t v;
  if (!parse_u32(text.substr(5), v) || v > 65535) return false;
  out = static_cast<uint16_t>(v);
  return true;
}

std::optional<TextRecord> parse_rr_text(std::string_view text, uint32_t default_ttl,
                                        std::string& error) {
  error.clear();
  try {
    const std::vector<Token> t = tokenize(text);
    if (t.empty()) return std::nullopt;
    TextRecord rr;
    rr.owner = name_of(t[0]);
    rr.ttl = default_ttl;
    rr.rclass = cls::IN;
    bool have_ttl = false, have_class = false;
    size_t i = 1;
    for (;; ++i) {
      if (i == t.size()) throw Error(fmt::format("dns: no type in \"{}\"", text));
      if (t[i].quoted) throw Error(fmt::format("dns: bad type \"{}\"", t[i].text));
      const std::string u = upper(t[i].text);
      uint32_t ttl;
      uint16_t c;
      if (!have_ttl && parse_u32(u, ttl)) {
        rr.ttl = ttl;
        have_ttl = true;
      } else if (!have_class && parse_class(u, c)) {
        rr.rclass = c;
        have_class = true;
      } else if (parse_type(u, rr.type)) {
        break;
      } else {
        throw Error(fmt::format("dns: bad TTL, class or type \"{}\"", t[i].text));
      }
    }
    put_rdata(rr, t, i + 1);
    if (rr.rdata.size() > 65535) throw Error("dns: rdata too long");
    return rr;
  } catch (const Error& e) {
    error = e.message;
    return std::nullopt;
  }
}

}  // namespace coredns::dns
