#include "core/main/version.h"

#include <fmt/format.h>

#ifndef COREDNS_GIT_COMMIT
#define COREDNS_GIT_COMMIT ""
#endif

namespace coredns {
namespace {

const char* arch() {
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__arm__)
  return "arm";
#elif defined(__riscv)
  return "riscv64";
#else
  return "unknown";
#endif
}

std::string toolchain() {
#if defined(__clang__)
  return fmt::format("clang{}.{}.{}", __clang_major__, __clang_minor__, __clang_patchlevel__);
#elif defined(__GNUC__)
  return fmt::format("gcc{}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
#else
  return "c++";
#endif
}

}  // namespace

std::vector<std::string> version_lines() {
  return {fmt::format("CoreDNS-{}", kCoreVersion),
          fmt::format("linux/{}, {}, {}", arch(), toolchain(), COREDNS_GIT_COMMIT)};
}

}  // namespace coredns
