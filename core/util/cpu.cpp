#include "core/util/cpu.h"

#include <sched.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace coredns::util {
namespace {

std::string read_small_file(const char* path) {
  std::string out;
  if (FILE* f = std::fopen(path, "r")) {
    char buf[256];
    size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    out.assign(buf, n);
    std::fclose(f);
  }
  return out;
}

// CPUs the quota allows, or 0 when there is no quota.
int quota_cpus() {
  std::string v2 = read_small_file("/sys/fs/cgroup/cpu.max");
  if (!v2.empty()) {
    if (v2.rfind("max", 0) == 0) return 0;
    double quota = 0, period = 0;
    if (std::sscanf(v2.c_str(), "%lf %lf", &quota, &period) == 2 && quota > 0 && period > 0)
      return static_cast<int>(std::ceil(quota / period));
    return 0;
  }
  std::string q = read_small_file("/sys/fs/cgroup/cpu/cpu.cfs_quota_us");
  std::string p = read_small_file("/sys/fs/cgroup/cpu/cpu.cfs_period_us");
  double quota = std::atof(q.c_str()), period = std::atof(p.c_str());
  if (quota > 0 && period > 0) return static_cast<int>(std::ceil(quota / period));
  return 0;
}

int positive_env(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return 0;
  int n = std::atoi(v);
  return n > 0 ? n : 0;
}

}  // namespace

int usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  int cpus = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
  int quota = quota_cpus();
  if (quota > 0 && quota < cpus) cpus = quota;
  return cpus > 0 ? cpus : 1;
}

int worker_threads() {
  if (int n = positive_env("COREDNS_WORKERS")) return n;
  if (int n = positive_env("GOMAXPROCS")) return n;
  return usable_cpus();
}

}  // namespace coredns::util
