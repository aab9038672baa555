#pragma once
// The plugin table: generated from plugin.cfg (cmake/Plugins.cmake) and linked only into the
// executable, which hands it to the core at startup; the core names no plugin.
#include <span>
#include <string_view>

namespace coredns {

class SetupContext;

// What a plugin folder provides: the setup that parses its directive in one server block.
struct PluginDef {
  void (*setup)(SetupContext& ctx);
};

// One plugin.cfg line, in file order. `def` is null for a directive CoreDNS knows but this
// build leaves out ('#name:folder' lines).
struct DirectiveEntry {
  std::string_view name;
  const PluginDef& (*def)();
};

// The table set_directive_table() was given; empty before.
std::span<const DirectiveEntry> directive_table();
void set_directive_table(std::span<const DirectiveEntry> table);

// Looks a directive up in the table; null if absent.
const DirectiveEntry* find_directive(std::string_view name);

}  // namespace coredns
