#pragma once

namespace coredns::util {

// How many CPUs this process may use: the CPUs in its affinity mask, capped by the cgroup CPU
// quota (v2 cpu.max or v1 cfs_quota_us / cfs_period_us, rounded up). At least 1.
int usable_cpus();

// Worker threads to run: COREDNS_WORKERS, else GOMAXPROCS (the knob CoreDNS users already set),
// else usable_cpus().
int worker_threads();

}  // namespace coredns::util
