// libFuzzer target for the template plugin's template language (plugins/template/engine.cpp)
// and the zone-file record parser its output goes through (core/dns/rr_text.cpp). Input: the
// template text, then after the first NUL byte a query name matched by a pattern with named
// groups. Besides memory errors it checks that a compiled template's normalised text (the
// metrics label) compiles again to the same text, and that execution either renders or fails
// with a Go-style error, never anything else.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/dns/name.h"
#include "core/dns/rr_text.h"
#include "core/util/regex.h"
#include "plugins/template/engine.h"

using namespace coredns;
using namespace coredns::plugins::tmpl;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

// The server matches patterns against the query name in presentation form (miekg/dns's escaping,
// so any label byte outside printable ASCII arrives as \DDD), never against raw label bytes.
std::string query_name(std::string_view raw) {
  std::vector<uint8_t> wire;
  size_t start = 0;
  while (start <= raw.size() && wire.size() < 200) {
    size_t dot = raw.find('.', start);
    if (dot == std::string_view::npos) dot = raw.size();
    const std::string_view label = raw.substr(start, std::min<size_t>(dot - start, 63));
    if (!label.empty()) {
      wire.push_back(static_cast<uint8_t>(label.size()));
      wire.insert(wire.end(), label.begin(), label.end());
    }
    start = dot + 1;
  }
  wire.push_back(0);
  dns::Name n;
  return dns::Name::from_wire(wire, n) ? n.to_text() : "ip-10-1-2-3.example.";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Regex re(R"(^(?P<first>[^.]*)[.]?(.*)$)");
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t nul = in.find('\0');
  const std::string_view text = in.substr(0, nul);
  const std::string name = query_name(nul == std::string_view::npos ? "ip-10-1-2-3.example" : in.substr(nul + 1));

  std::string error;
  auto rr = dns::parse_rr_text(text, 3600, error);
  check(rr.has_value() || error.empty() || error.starts_with("dns: "));

  try {
    Template t("answer", text);
    Template again("answer", t.normalized());
    check(again.normalized() == t.normalized());
    QueryData d;
    d.name = name;
    d.zone = "example.";
    d.cls = "IN";
    d.type = "A";
    d.remote = "192.0.2.1";
    d.question_name = name;
    check(re.search(name, d.match));
    d.named = &re.named_groups();
    std::string out;
    if (t.execute(d, out, error)) {
      check(out.size() <= 65535);
      auto r = dns::parse_rr_text(out, 3600, error);
      check(r.has_value() || error.empty() || error.starts_with("dns: "));
    } else {
      check(error.starts_with("template: answer"));
    }
  } catch (const TemplateError& e) {
    check(std::string_view(e.what()).starts_with("template: answer:"));
  }
  return 0;
}
