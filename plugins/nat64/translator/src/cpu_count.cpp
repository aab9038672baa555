// The DNS core's count (core/server/cpu.cpp) is compiled into nat64 as it is, so both programs
// size their thread pools the same way; it is the only piece of the core in this binary.
#include "cpu_count.h"

#include "core/server/cpu.h"

namespace nat64 {

int usable_cpus() { return coredns::server::usable_cpus(); }

}  // namespace nat64
