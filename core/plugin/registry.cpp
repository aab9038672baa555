#include "core/plugin/registry.h"

namespace coredns {
namespace {

std::span<const DirectiveEntry> the_table;

}  // namespace

std::span<const DirectiveEntry> directive_table() { return the_table; }

void set_directive_table(std::span<const DirectiveEntry> table) { the_table = table; }

const DirectiveEntry* find_directive(std::string_view name) {
  for (const auto& e : directive_table())
    if (e.name == name) return &e;
  return nullptr;
}

}  // namespace coredns
