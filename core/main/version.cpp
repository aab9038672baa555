#include "core/main/version.h"

#include <fmt/format.h>

#include "core/util/build_info.h"

namespace coredns {

std::vector<std::string> version_lines() {
  const BuildInfo& b = build_info();
  return {fmt::format("CoreDNS-{}", b.version),
          fmt::format("{}, {}, {}", b.platform, b.toolchain, b.revision)};
}

}  // namespace coredns
