#pragma once
// The growable array that holds the table's large arrays, taken straight from mmap, so that
// freeing one gives its pages back to the system at once. Through malloc they could stay
// resident: glibc raises its mmap threshold (up to 32 MiB) after such blocks are freed, so the
// next ones come from a heap, and a thread's heap (a reload builds on the refresh thread) keeps
// its free top mapped even through malloc_trim. A reload would then leave the builder's scratch,
// as large as a table, in RSS.
//
// Not a std::vector with an mmap allocator: libstdc++ moves such a vector's elements one by one
// through the allocator on every growth and range insert, which is a call per byte in an
// unoptimised (sanitizer) build, and growth would copy each array as it doubles. Here the
// elements are trivially copyable: a mapped array grows with mremap, which moves page-table
// entries, not bytes, and appends are one memcpy.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace coredns::plugins::hosts {

template <typename T>
class PagedVector {
  static_assert(std::is_trivially_copyable_v<T>);
  // So that whole pages hold whole elements: a mapping's capacity then fills it exactly.
  static_assert((sizeof(T) & (sizeof(T) - 1)) == 0);

 public:
  // Below this, malloc's own bins serve well and a page-rounded mapping would waste most of it.
  static constexpr size_t kMapped = 64 * 1024;

  PagedVector() = default;
  PagedVector(size_t n, const T& value) { assign(n, value); }
  PagedVector(const T* first, const T* last) { assign(first, last); }
  PagedVector(PagedVector&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)),
        size_(std::exchange(o.size_, 0)),
        cap_(std::exchange(o.cap_, 0)) {}
  PagedVector& operator=(PagedVector&& o) noexcept {
    if (this != &o) {
      release(data_, cap_);
      data_ = std::exchange(o.data_, nullptr);
      size_ = std::exchange(o.size_, 0);
      cap_ = std::exchange(o.cap_, 0);
    }
    return *this;
  }
  PagedVector(const PagedVector&) = delete;
  PagedVector& operator=(const PagedVector&) = delete;
  ~PagedVector() { release(data_, cap_); }

  size_t size() const { return size_; }
  size_t capacity() const { return cap_; }
  bool empty() const { return size_ == 0; }
  T* data() { return data_; }
  const T* data() const { return data_; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }

  void reserve(size_t n) {
    if (n > cap_) reallocate(n);
  }
  void shrink_to_fit() {
    if (size_ < cap_) reallocate(size_);
  }
  void push_back(const T& v) {
    if (size_ == cap_) reallocate(grown(size_ + 1));
    data_[size_++] = v;
  }
  // Appends [first, last), which must not lie inside this array.
  void append(const T* first, const T* last) {
    const auto n = static_cast<size_t>(last - first);
    if (size_ + n > cap_) reallocate(grown(size_ + n));
    if (n != 0) std::memcpy(data_ + size_, first, n * sizeof(T));
    size_ += n;
  }
  void assign(const T* first, const T* last) {
    size_ = 0;
    append(first, last);
  }
  void assign(size_t n, const T& value) {
    size_ = 0;
    reserve(n);
    for (size_t i = 0; i < n; ++i) data_[i] = value;
    size_ = n;
  }
  // New elements are zero bytes.
  void resize(size_t n) {
    if (n > size_) {
      reserve(n);
      std::memset(static_cast<void*>(data_ + size_), 0, (n - size_) * sizeof(T));
    }
    size_ = n;
  }

 private:
  static bool mapped(size_t bytes) { return bytes >= kMapped; }
  static size_t page_rounded(size_t bytes) {
    static const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
    return (bytes + page - 1) / page * page;
  }
  size_t grown(size_t needed) const { return std::max(needed, cap_ * 2); }

  // Storage for `cap` elements holding the first size_ ones; a mapped array's capacity is what
  // its whole pages hold.
  void reallocate(size_t cap) {
    const size_t old_bytes = cap_ * sizeof(T);
    size_t bytes = cap * sizeof(T);
    void* p = nullptr;
    if (mapped(bytes)) {
      bytes = page_rounded(bytes);
      p = mapped(old_bytes)
              ? ::mremap(data_, page_rounded(old_bytes), bytes, MREMAP_MAYMOVE)
              : ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) throw std::bad_alloc();
    } else if (bytes != 0) {
      p = mapped(old_bytes) ? std::malloc(bytes) : std::realloc(data_, bytes);
      if (!p) throw std::bad_alloc();
    }
    // Between malloc and a mapping the elements move once; mremap and realloc moved them.
    if (mapped(bytes) != mapped(old_bytes) && size_ != 0)
      std::memcpy(p, static_cast<const void*>(data_), size_ * sizeof(T));
    if (mapped(bytes) != mapped(old_bytes) || bytes == 0) release(data_, cap_);
    data_ = static_cast<T*>(p);
    cap_ = bytes / sizeof(T);
  }
  static void release(T* p, size_t cap) {
    if (!p) return;
    if (mapped(cap * sizeof(T)))
      ::munmap(p, page_rounded(cap * sizeof(T)));
    else
      std::free(p);
  }

  T* data_ = nullptr;
  size_t size_ = 0;
  size_t cap_ = 0;
};

}  // namespace coredns::plugins::hosts
