#include "core/plugin/reload.h"

#include <cassert>

namespace coredns {
namespace {

Reloader* the_reloader = nullptr;

}  // namespace

Reloader& reloader() {
  assert(the_reloader);
  return *the_reloader;
}

void set_reloader(Reloader* r) { the_reloader = r; }

}  // namespace coredns
