// libFuzzer target "nat64_map_file": untrusted map-file text (map-file in tayga.conf(5)) through
// parse_map_file. Errors must name file and line, and the entries it keeps must not share an
// address (of two lines naming one, only the later stays).
#include <cstdlib>
#include <string>

#include "nat64/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = nat64::parse_map_file(text, "maps");
  for (const auto& e : r.errors)
    if (!e.starts_with("maps:")) std::abort();
  for (size_t i = 0; i < r.maps.size(); ++i)
    for (size_t j = i + 1; j < r.maps.size(); ++j)
      if (r.maps[i].v4 == r.maps[j].v4 || r.maps[i].v6 == r.maps[j].v6) std::abort();
  return 0;
}
