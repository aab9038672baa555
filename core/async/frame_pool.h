#pragma once
// Coroutine frames come from per-thread free lists by size class, so a query that passes through
// the whole plugin chain allocates its frames without calling malloc once the lists are warm.
#include <cstddef>

namespace coredns::async {

void* allocate_frame(std::size_t size);
void free_frame(void* p, std::size_t size) noexcept;

}  // namespace coredns::async
