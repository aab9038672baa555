// libFuzzer target "nat64_4to6": an IPv4 packet from the TUN through Translator::process (intake,
// options, RFC 7915 §4 translation and fragmentation, ICMPv4 errors with their inner packet, the
// errors the translator generates). The last byte also picks the settings (nat64_fuzz_util.h).
#include "nat64_fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nat64::fuzz::translate(data, size, false);
  return 0;
}
