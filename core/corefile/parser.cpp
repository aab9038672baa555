#include "core/corefile/parser.h"

#include <iterator>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "core/corefile/dispenser.h"
#include "core/corefile/import.h"
#include "core/corefile/lexer.h"

namespace coredns::corefile {
namespace {

// Caps that stop import recursion. The file cap's message really says 10000 upstream.
constexpr int max_snippet_imports = 10'000;
constexpr long max_file_imports = 100'000;
constexpr const char* snippet_cap_message = "maximum snippet import depth (10000) exceeded";
constexpr const char* file_cap_message = "maximum file import depth (10000) exceeded";

Tokens& tokens_of(ServerBlock& block, const std::string& directive) {
  for (auto& [name, tokens] : block.directives) {
    if (name == directive) return tokens;
  }
  return block.directives.emplace_back(directive, Tokens{}).second;
}

// A block whose only key is "(name)" defines a snippet.
std::optional<std::string> snippet_name(const std::vector<std::string>& keys) {
  if (keys.size() != 1) return std::nullopt;
  const std::string& key = keys.front();
  if (!key.starts_with('(') || !key.ends_with(')')) return std::nullopt;
  return key.substr(1, key.size() - 2);
}

// Whether a snippet body contains a line `import NAME` naming the snippet itself.
bool imports_itself(const std::string& name, const Token& opening_brace, const Tokens& body) {
  for (std::size_t i = 0; i + 1 < body.size(); ++i) {
    const Token& previous = i == 0 ? opening_brace : body[i - 1];
    if (body[i].text == "import" && on_later_line(previous, body[i]) &&
        on_same_line(body[i], body[i + 1]) && body[i + 1].text == name) {
      return true;
    }
  }
  return false;
}

}  // namespace

// Turns the token stream into server blocks (Caddy's caddyfile/parse.go). It moves the same cursor
// plugins use (so "current token" and its FILE:LINE mean the same thing in every error) and splices
// imports into the stream in place, exactly where the import line was.
class Parser {
 public:
  Parser(Tokens tokens, const ParseOptions& options)
      : cursor_(std::move(tokens), options.path), options_(options) {}

  std::vector<ServerBlock> parse_all() {
    std::vector<ServerBlock> blocks;
    while (cursor_.next()) {
      ServerBlock block = parse_block();
      if (!block.keys.empty()) blocks.push_back(std::move(block));
    }
    return blocks;
  }

 private:
  ServerBlock parse_block() {
    ServerBlock block;
    read_keys(block);
    if (reached_eof_) return block;  // the file ended with a line of keys: a block without body
    if (const auto name = snippet_name(block.keys)) {
      define_snippet(*name);
      return {};
    }
    read_body(block);
    return block;
  }

  void read_keys(ServerBlock& block) {
    bool expecting_another = false;
    for (;;) {
      std::string key = substitute_env(cursor_.val());
      if (key == "import" && is_new_line()) {
        expand_import();
        continue;  // the cursor is on the first imported token already
      }
      if (key == "{") {
        if (expecting_another) {
          throw cursor_.err("Expected another address but had '{' - check for extra comma");
        }
        return;
      }
      if (!key.empty()) {
        expecting_another = key.back() == ',';
        if (expecting_another) key.pop_back();
        block.keys.push_back(std::move(key));
      }
      const bool has_next = cursor_.next();
      if (expecting_another && !has_next) throw cursor_.eof_err();
      if (!has_next) {
        reached_eof_ = true;
        return;
      }
      if (!expecting_another && is_new_line()) return;
    }
  }

  void define_snippet(const std::string& name) {
    if (snippets_.contains(name)) {
      throw cursor_.err(fmt::format("redeclaration of previously declared snippet {}", name));
    }
    if (cursor_.val() != "{") throw cursor_.syntax_err("{");
    const Token opening_brace = current();
    Tokens body;
    int depth = 1;
    while (cursor_.next()) {
      if (cursor_.val() == "}" && --depth == 0) break;
      if (cursor_.val() == "{") ++depth;
      body.push_back(current());
    }
    if (depth != 0) throw cursor_.syntax_err("}");
    // Such a snippet could only ever expand into itself; it is reported at its closing brace.
    if (imports_itself(name, opening_brace, body)) throw cursor_.err(snippet_cap_message);
    snippets_.emplace(name, std::move(body));
  }

  void read_body(ServerBlock& block) {
    const bool braced = cursor_.val() == "{";
    // Without braces the line that ended the keys is the first directive, and the block runs
    // to the end of the file.
    if (!braced) back_up();
    read_directives(block);
    // Only the last token consumed is checked: a `}` closing a directive's own block at the
    // very end of the file satisfies it too (upstream quirk, spec P15).
    if (braced && cursor_.val() != "}") throw cursor_.syntax_err("}");
  }

  void read_directives(ServerBlock& block) {
    while (cursor_.next()) {
      if (cursor_.val() == "}") return;
      if (cursor_.val() == "import") {
        expand_import();
        back_up();
        continue;
      }
      read_directive(block);
    }
  }

  // One directive line, plus its `{ ... }` block if any; further occurrences of the same
  // directive in the block are appended to the same token list.
  void read_directive(ServerBlock& block) {
    const std::string name = substitute_env(cursor_.val());
    check_directive(name);
    Tokens& tokens = tokens_of(block, name);
    tokens.push_back(current());  // the name token is kept as written
    int depth = 0;
    while (cursor_.next()) {
      if (cursor_.val() == "{") {
        ++depth;  // even on a new line: it still belongs to this directive
      } else if (depth == 0 && is_new_line()) {
        back_up();
        break;
      } else if (cursor_.val() == "}") {
        if (depth == 0) throw cursor_.err("Unexpected '}' because no matching opening brace");
        --depth;
      } else if (cursor_.val() == "import" && is_new_line()) {
        expand_import();
        back_up();
        continue;
      }
      Token token = current();
      token.text = substitute_env(token.text);
      tokens.push_back(std::move(token));
    }
    if (depth > 0) throw cursor_.eof_err();
  }

  void check_directive(const std::string& name) const {
    if (!options_.directive_kind) return;
    switch (options_.directive_kind(name)) {
      case DirectiveKind::built:
        return;
      case DirectiveKind::known_not_built:
        throw cursor_.err(fmt::format(
            "Unknown directive '{0}': this build does not include the {0} plugin (add it to "
            "plugin.cfg and rebuild)",
            name));
      case DirectiveKind::unknown:
        break;
    }
    throw cursor_.err(fmt::format("Unknown directive '{}'", name));
  }

  // Replaces the line `import PATTERN` (cursor on `import`) by what it names and leaves the
  // cursor on the first replacement token, or on whatever followed if nothing was imported.
  void expand_import() {
    if (!cursor_.next_arg()) throw cursor_.arg_err();
    const std::string pattern = substitute_env(cursor_.val());
    if (pattern.empty()) throw cursor_.err("Import requires a non-empty filepath");
    if (cursor_.next_arg()) throw cursor_.err("Import takes only one argument (glob pattern or file)");

    Tokens imported = imported_tokens(pattern);
    Tokens& stream = cursor_.tokens_;
    const auto import_line = stream.begin() + (cursor_.cursor_ - 1);
    const auto after = stream.erase(import_line, import_line + 2);
    stream.insert(after, std::make_move_iterator(imported.begin()),
                  std::make_move_iterator(imported.end()));
    back_up();
  }

  Tokens imported_tokens(const std::string& pattern) {
    if (const auto snippet = snippets_.find(pattern); snippet != snippets_.end()) {
      if (++snippet_imports_ > max_snippet_imports) throw cursor_.err(snippet_cap_message);
      return snippet->second;
    }
    try {
      Tokens all;
      for (const auto& path : import_files(pattern, cursor_.file(), options_.warn)) {
        if (++file_imports_ > max_file_imports) throw cursor_.err(file_cap_message);
        Tokens tokens = import_tokens(path);
        all.insert(all.end(), std::make_move_iterator(tokens.begin()),
                   std::make_move_iterator(tokens.end()));
      }
      return all;
    } catch (const ImportError& e) {
      throw cursor_.err(e.what());
    }
  }

  bool is_new_line() const {
    const long at = cursor_.cursor_;
    if (at < 1 || at >= static_cast<long>(cursor_.tokens_.size())) return true;
    return on_later_line(cursor_.tokens_[static_cast<size_t>(at - 1)],
                         cursor_.tokens_[static_cast<size_t>(at)]);
  }

  const Token& current() const { return cursor_.tokens_[static_cast<size_t>(cursor_.cursor_)]; }
  void back_up() { --cursor_.cursor_; }

  Dispenser cursor_;
  const ParseOptions& options_;
  bool reached_eof_ = false;
  std::map<std::string, Tokens> snippets_;
  int snippet_imports_ = 0;
  long file_imports_ = 0;
};

const Tokens* ServerBlock::find(std::string_view directive) const {
  for (const auto& [name, tokens] : directives) {
    if (name == directive) return &tokens;
  }
  return nullptr;
}

std::vector<ServerBlock> parse(std::string_view text, const ParseOptions& options) {
  return Parser(lex(text), options).parse_all();
}

}  // namespace coredns::corefile
