#pragma once
#include <string>
#include <vector>

namespace coredns {

inline constexpr const char* kCoreVersion = "1.14.7";

// "CoreDNS-1.14.7" and "linux/amd64, gcc12.2.0, <commit>" (spec §3.3: line 1 byte-identical,
// line 2 in Go's os/arch, toolchain, commit shape).
std::vector<std::string> version_lines();

}  // namespace coredns
