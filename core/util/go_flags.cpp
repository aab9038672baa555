#include "core/util/go_flags.h"

#include <algorithm>
#include <fmt/format.h>

namespace coredns::cli {
namespace {

bool parse_go_bool(const std::string& v, bool& out) {
  static const char* const truthy[] = {"1", "t", "T", "TRUE", "true", "True"};
  static const char* const falsy[] = {"0", "f", "F", "FALSE", "false", "False"};
  for (const char* t : truthy)
    if (v == t) return out = true, true;
  for (const char* f : falsy)
    if (v == f) return out = false, true;
  return false;
}

}  // namespace

ParseResult parse_flags(const std::vector<Flag>& flags, int argc, char** argv) {
  ParseResult r;
  int i = 1;
  for (; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.size() < 2 || arg[0] != '-') break;
    size_t dashes = 1;
    if (arg[1] == '-') {
      dashes = 2;
      if (arg.size() == 2) {  // "--" ends the flags
        ++i;
        break;
      }
    }
    std::string name = arg.substr(dashes);
    if (name.empty() || name[0] == '-' || name[0] == '=') {
      r.outcome = ParseResult::error;
      r.message = "bad flag syntax: " + arg;
      return r;
    }
    std::string value;
    bool has_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
      has_value = true;
    }
    auto it = std::find_if(flags.begin(), flags.end(), [&](const Flag& f) { return f.name == name; });
    if (it == flags.end()) {
      if (name == "help" || name == "h") {
        r.outcome = ParseResult::help;
        return r;
      }
      r.outcome = ParseResult::error;
      r.message = "flag provided but not defined: -" + name;
      return r;
    }
    if (it->is_bool) {
      bool b = true;
      if (has_value && !parse_go_bool(value, b)) {
        r.outcome = ParseResult::error;
        r.message = fmt::format("invalid boolean value \"{}\" for -{}: parse error", value, name);
        return r;
      }
      *it->target_bool = b;
      continue;
    }
    if (!has_value) {
      if (i + 1 >= argc) {
        r.outcome = ParseResult::error;
        r.message = "flag needs an argument: -" + name;
        return r;
      }
      value = argv[++i];
    }
    *it->target_string = value;
  }
  for (; i < argc; ++i) r.positional.push_back(argv[i]);
  return r;
}

std::string usage_text(const std::vector<Flag>& flags, const std::string& argv0) {
  std::vector<const Flag*> sorted;
  for (const auto& f : flags) sorted.push_back(&f);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->name < b->name; });
  std::string out = fmt::format("Usage of {}:\n", argv0);
  for (const Flag* f : sorted) {
    out += "  -" + f->name;
    if (!f->is_bool) out += " string";
    out += "\n    \t" + f->usage;
    if (!f->is_bool && !f->default_value.empty())
      out += fmt::format(" (default \"{}\")", f->default_value);
    out += "\n";
  }
  return out;
}

}  // namespace coredns::cli
