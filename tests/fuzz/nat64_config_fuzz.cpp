// libFuzzer target "nat64_config": untrusted tayga.conf text through parse_config (every
// directive's parser and the whole-file checks), and what a valid result configures: the address
// mapper built from it. Errors must name file and line.
#include <cstdlib>
#include <string>

#include "nat64/address_mapper.h"
#include "nat64/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = nat64::parse_config(text, "tayga.conf");
  for (const auto& e : r.errors)
    if (!e.starts_with("tayga.conf:")) std::abort();
  if (r.ok()) nat64::AddressMapper map(r.config);
  return 0;
}
