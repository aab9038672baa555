// How many CPUs this process may use (affinity mask, cgroup quota): the default `workers`.
#pragma once

namespace nat64 {

int usable_cpus();

}  // namespace nat64
