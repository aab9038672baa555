#include "core/plugin/registry.h"

namespace coredns {

const DirectiveEntry* find_directive(std::string_view name) {
  for (const auto& e : directive_table())
    if (e.name == name) return &e;
  return nullptr;
}

}  // namespace coredns
