#pragma once
// Storage for the table's large arrays taken straight from mmap, so that freeing one gives its
// pages back to the system at once. Through malloc they could stay resident: glibc raises its
// mmap threshold (up to 32 MiB) after such blocks are freed, so the next ones come from a heap,
// and a thread's heap (a reload builds on the refresh thread) keeps its free top mapped even
// through malloc_trim. A reload would then leave the builder's scratch, as large as a table,
// in RSS.
#include <sys/mman.h>

#include <cstddef>
#include <new>
#include <vector>

namespace coredns::plugins::hosts {

template <typename T>
struct PageAllocator {
  using value_type = T;
  // Below this, malloc's own bins serve well and a page-rounded mapping would waste most of it.
  static constexpr size_t kMapped = 64 * 1024;

  PageAllocator() = default;
  template <typename U>
  PageAllocator(const PageAllocator<U>&) {}

  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes < kMapped) return static_cast<T*>(::operator new(bytes));
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes < kMapped)
      ::operator delete(p);
    else
      ::munmap(p, bytes);
  }
  template <typename U>
  bool operator==(const PageAllocator<U>&) const {
    return true;
  }
};

template <typename T>
using PagedVector = std::vector<T, PageAllocator<T>>;

}  // namespace coredns::plugins::hosts
