#include "core/async/frame_pool.h"

#include <cstdlib>
#include <new>

namespace coredns::async {
namespace {

constexpr std::size_t kGranule = 64;
constexpr std::size_t kClasses = 64;  // frames up to 4 KiB are pooled
constexpr std::size_t kMaxFreePerClass = 1024;

struct FreeNode {
  FreeNode* next;
};

struct Pool {
  FreeNode* heads[kClasses] = {};
  std::size_t counts[kClasses] = {};
  ~Pool() {
    for (auto* head : heads)
      while (head) {
        FreeNode* n = head->next;
        std::free(head);
        head = n;
      }
  }
};

thread_local Pool pool;

std::size_t size_class(std::size_t size) { return (size + kGranule - 1) / kGranule; }

}  // namespace

void* allocate_frame(std::size_t size) {
  std::size_t c = size_class(size);
  if (c < kClasses && pool.heads[c]) {
    FreeNode* n = pool.heads[c];
    pool.heads[c] = n->next;
    --pool.counts[c];
    return n;
  }
  void* p = std::malloc(c < kClasses ? c * kGranule : size);
  if (!p) throw std::bad_alloc();
  return p;
}

void free_frame(void* p, std::size_t size) noexcept {
  std::size_t c = size_class(size);
  if (c < kClasses && pool.counts[c] < kMaxFreePerClass) {
    auto* n = static_cast<FreeNode*>(p);
    n->next = pool.heads[c];
    pool.heads[c] = n;
    ++pool.counts[c];
    return;
  }
  std::free(p);
}

}  // namespace coredns::async
