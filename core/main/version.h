#pragma once
#include <string>
#include <vector>

namespace coredns {

// "CoreDNS-1.14.7" and "linux/amd64, gcc12.2.0, <commit>" (CoreDNS's coremain/version.go: line 1
// byte-identical, line 2 in Go's os/arch, toolchain, commit shape). The parts come from
// build_info().
std::vector<std::string> version_lines();

}  // namespace coredns
