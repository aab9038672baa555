// libFuzzer target "nat64_6to4": an IPv6 packet from the TUN through Translator::process (intake,
// RFC 7915 §5 translation, ICMPv6 errors with their inner packet, hairpinning, the errors the
// translator generates). The last byte also picks the settings (nat64_fuzz_util.h).
#include "nat64_fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nat64::fuzz::translate(data, size, true);
  return 0;
}
