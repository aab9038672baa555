#include "core/plugin/background.h"

namespace coredns {
namespace {

async::Task<void> held(ConfigHold hold, async::Task<void> work) {
  try {
    co_await work;
  } catch (...) {
  }
  work = async::Task<void>();
  hold.reset();
}

}  // namespace

void run_in_background(ConfigHold hold, async::Task<void> work) {
  async::spawn_void(held(std::move(hold), std::move(work)), [](std::exception_ptr) {});
}

}  // namespace coredns
