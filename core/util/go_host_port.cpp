#include "core/util/go_host_port.h"

namespace coredns {
namespace {

std::optional<HostPort> fail(std::string_view addr, const char* why, std::string& error) {
  // Go's AddrError leaves the "address X: " part out when the address is empty.
  error = addr.empty() ? std::string(why) : "address " + std::string(addr) + ": " + why;
  return std::nullopt;
}

}  // namespace

std::optional<HostPort> go_split_host_port(std::string_view text, std::string& error) {
  constexpr const char* kMissingPort = "missing port in address";
  constexpr const char* kTooManyColons = "too many colons in address";
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return fail(text, kMissingPort, error);
  HostPort out;
  size_t no_open_before = 0, no_close_before = 0;
  if (text.front() == '[') {
    const size_t end = text.find(']');
    if (end == std::string_view::npos) return fail(text, "missing ']' in address", error);
    if (end + 1 == text.size()) return fail(text, kMissingPort, error);
    if (end + 1 != colon)
      return fail(text, text[end + 1] == ':' ? kTooManyColons : kMissingPort, error);
    out.host = std::string(text.substr(1, end - 1));
    no_open_before = 1;
    no_close_before = end + 1;
  } else {
    out.host = std::string(text.substr(0, colon));
    if (out.host.find(':') != std::string::npos) return fail(text, kTooManyColons, error);
  }
  if (text.find('[', no_open_before) != std::string_view::npos)
    return fail(text, "unexpected '[' in address", error);
  if (text.find(']', no_close_before) != std::string_view::npos)
    return fail(text, "unexpected ']' in address", error);
  out.port = std::string(text.substr(colon + 1));
  return out;
}

}  // namespace coredns
