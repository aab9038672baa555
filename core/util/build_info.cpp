#include "core/util/build_info.h"

#include <fmt/format.h>

// Both set by core/CMakeLists.txt: the project version and the checkout's commit.
#ifndef COREDNS_VERSION
#define COREDNS_VERSION "0.0.0"
#endif
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

const BuildInfo& build_info() {
  static const BuildInfo info{COREDNS_VERSION, COREDNS_GIT_COMMIT, toolchain(),
                              fmt::format("linux/{}", arch())};
  return info;
}

}  // namespace coredns
