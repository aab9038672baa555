#pragma once
// What this binary is: shown by -version and exported as coredns_build_info.
#include <string>

namespace coredns {

struct BuildInfo {
  std::string version;    // "1.14.7", the CoreDNS version we are compatible with
  std::string revision;   // short git commit, "" when built outside a checkout
  std::string toolchain;  // "gcc12.2.0" (where CoreDNS shows its Go version)
  std::string platform;   // "linux/amd64"
};

const BuildInfo& build_info();

}  // namespace coredns
