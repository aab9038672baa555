#include "plugins/template/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "core/util/go_quote.h"
#include "plugins/template/tree.h"

namespace coredns::plugins::tmpl {

// ---------------------------------------------------------------------------------------------
// Lexing. An action's tokens; positions are byte offsets into the template text.

namespace {

enum class Tok {
  field,    // .Name.Sub ("." alone: empty chain)
  var,      // $x.Sub ("$" alone: name "")
  ident,    // function name or keyword
  str,      // "..." or `...`, unquoted
  num,      // integer
  boolean,  // true / false
  nil,
  lparen,
  rparen,
  pipe,
  declare,  // :=
  assign,   // =
  comma,
};

struct Token {
  Tok kind;
  std::string text;                // ident, str value, var name, raw number
  std::vector<std::string> chain;  // field / var chain
  int64_t num = 0;
  size_t pos = 0;
  bool adjacent = false;  // no blank before it (a field chained onto ')')
};

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

namespace {

const char* const kFunctions[] = {"and",  "or",   "not",  "len", "index", "slice",
                                  "print", "printf", "println", "eq", "ne", "lt",
                                  "le",   "gt",   "ge",   "html", "js",  "urlquery",
                                  "call", "parseInt"};

bool is_function(std::string_view s) {
  return std::find(std::begin(kFunctions), std::end(kFunctions), s) != std::end(kFunctions);
}

// The data's shape, for refusing unknown fields when the template is compiled.
enum class Shape { root, message, question, map, list, scalar, unknown };

Shape field_shape(Shape in, const std::string& f, bool& ok) {
  ok = true;
  switch (in) {
    case Shape::root:
      if (f == "Name" || f == "Zone" || f == "Class" || f == "Type" || f == "Regex" ||
          f == "Remote" || f == "Meta")
        return Shape::scalar;
      if (f == "Match") return Shape::list;
      if (f == "Group" || f == "Var") return Shape::map;
      if (f == "Message") return Shape::message;
      if (f == "Question") return Shape::question;
      break;
    case Shape::message:
      if (f == "Id" || f == "Opcode" || f == "Rcode" || f == "Response" || f == "Authoritative" ||
          f == "Truncated" || f == "RecursionDesired" || f == "RecursionAvailable" ||
          f == "Zero" || f == "AuthenticatedData" || f == "CheckingDisabled")
        return Shape::scalar;
      if (f == "Question") return Shape::list;
      break;
    case Shape::question:
      if (f == "Name" || f == "Qtype" || f == "Qclass") return Shape::scalar;
      break;
    case Shape::map: return Shape::unknown;
    case Shape::unknown: return Shape::unknown;
    default: break;
  }
  ok = false;
  return Shape::unknown;
}

const char* shape_type(Shape s) {
  switch (s) {
    case Shape::root: return "*template.templateData";
    case Shape::message: return "*dns.Msg";
    case Shape::question: return "dns.Question";
    case Shape::list: return "[]string";
    default: return "string";
  }
}

class Parser {
 public:
  Parser(const std::string& name, std::string_view text) : name_(name), s_(text) {}

  std::unique_ptr<Node> parse() {
    auto root = std::make_unique<Node>();
    size_t i = 0;
    std::vector<Node*> stack{root.get()};  // innermost list being filled
    std::vector<Node*> ctl;                // open if/with/range
    bool trim_next = false;
    while (i <= s_.size()) {
      size_t open = s_.find("{{", i);
      std::string_view text = s_.substr(i, open == std::string_view::npos ? s_.npos : open - i);
      bool trim_left = false;
      size_t body = 0;
      if (open != std::string_view::npos) {
        body = open + 2;
        if (body + 1 < s_.size() && s_[body] == '-' && is_space(s_[body + 1])) {
          trim_left = true;
          body += 2;
        }
      }
      std::string t(text);
      if (trim_next) t.erase(0, t.find_first_not_of(" \t\r\n") == std::string::npos
                                    ? t.size()
                                    : t.find_first_not_of(" \t\r\n"));
      if (trim_left) {
        size_t e = t.find_last_not_of(" \t\r\n");
        t.erase(e == std::string::npos ? 0 : e + 1);
      }
      if (!t.empty()) {
        auto n = std::make_unique<Node>();
        n->kind = NodeKind::text;
        n->text = std::move(t);
        stack.back()->children.push_back(std::move(n));
      }
      if (open == std::string_view::npos) break;
      action_pos_ = open;
      size_t end;
      std::vector<Token> toks = lex_action(body, end, trim_next);
      i = end;
      if (toks.empty()) continue;  // a comment
      handle_action(toks, stack, ctl);
    }
    if (!ctl.empty()) fail(line_of(s_.size()), "unexpected EOF");
    return root;
  }

 private:
  [[noreturn]] void fail(int line, const std::string& what) const {
    throw TemplateError(fmt::format("template: {}:{}: {}", name_, line, what));
  }
  int line_of(size_t pos) const {
    return 1 + static_cast<int>(std::count(s_.begin(), s_.begin() + std::min(pos, s_.size()), '\n'));
  }

  // Tokens of the action whose body starts at `i`; `end` is past its "}}".
  std::vector<Token> lex_action(size_t i, size_t& end, bool& trim_right) {
    std::vector<Token> out;
    const int line = line_of(i);
    while (i < s_.size() && is_space(s_[i])) ++i;
    if (s_.substr(i, 2) == "/*") {
      size_t close = s_.find("*/", i + 2);
      if (close == std::string_view::npos) fail(line, "unclosed comment");
      i = close + 2;
      trim_right = false;
      if (s_.substr(i, 4) == " -}}") {
        trim_right = true;
        i += 2;
      }
      if (s_.substr(i, 2) != "}}") fail(line, "comment ends before closing delimiter");
      end = i + 2;
      return out;
    }
    bool blank_before = true;
    while (true) {
      if (i >= s_.size()) fail(line, "unclosed action");
      const char c = s_[i];
      if (is_space(c)) {
        if (s_.substr(i + 1, 3) == "-}}") {
          trim_right = true;
          end = i + 4;
          return out;
        }
        ++i;
        blank_before = true;
        continue;
      }
      if (s_.substr(i, 2) == "}}") {
        trim_right = false;
        end = i + 2;
        return out;
      }
      Token t;
      t.pos = i;
      t.adjacent = !blank_before;
      blank_before = false;
      if (c == '.' || c == '$') {
        size_t j = i;
        if (c == '$') {
          ++j;
          while (j < s_.size() && is_alnum(s_[j])) ++j;
          t.kind = Tok::var;
          t.text = std::string(s_.substr(i + 1, j - i - 1));
        } else {
          t.kind = Tok::field;
          if (j + 1 < s_.size() && (s_[j + 1] >= '0' && s_[j + 1] <= '9'))
            fail(line, "floating-point constants are not supported");
        }
        while (j < s_.size() && s_[j] == '.') {
          size_t k = j + 1;
          while (k < s_.size() && is_alnum(s_[k])) ++k;
          if (k == j + 1) {
            if (t.kind == Tok::field && t.chain.empty() && j == i) {
              j = k;  // "." alone
              break;
            }
            fail(line, fmt::format("bad character {:?} after '.'",
                                   j + 1 < s_.size() ? std::string(1, s_[j + 1]) : ""));
          }
          t.chain.emplace_back(s_.substr(j + 1, k - j - 1));
          j = k;
        }
        i = j;
      } else if (c == '"' || c == '`') {
        t.kind = Tok::str;
        size_t j = i + 1;
        if (c == '`') {
          size_t close = s_.find('`', j);
          if (close == std::string_view::npos) fail(line, "unterminated raw quoted string");
          t.text = std::string(s_.substr(j, close - j));
          i = close + 1;
        } else {
          while (true) {
            if (j >= s_.size() || s_[j] == '\n') fail(line, "unterminated quoted string");
            if (s_[j] == '"') break;
            if (s_[j] == '\\') {
              if (j + 1 >= s_.size()) fail(line, "unterminated quoted string");
              const char e = s_[j + 1];
              switch (e) {
                case 'n': t.text.push_back('\n'); break;
                case 't': t.text.push_back('\t'); break;
                case 'r': t.text.push_back('\r'); break;
                case '\\': t.text.push_back('\\'); break;
                case '"': t.text.push_back('"'); break;
                case '\'': t.text.push_back('\''); break;
                default: fail(line, fmt::format("unsupported escape \\{} in string", e));
              }
              j += 2;
              continue;
            }
            t.text.push_back(s_[j++]);
          }
          i = j + 1;
        }
      } else if ((c >= '0' && c <= '9') || ((c == '-' || c == '+') && i + 1 < s_.size() &&
                                            s_[i + 1] >= '0' && s_[i + 1] <= '9')) {
        size_t j = i + 1;
        while (j < s_.size() && (is_alnum(s_[j]) || s_[j] == '.')) ++j;
        t.kind = Tok::num;
        t.text = std::string(s_.substr(i, j - i));
        if (!parse_int_literal(t.text, t.num))
          fail(line, fmt::format("bad number syntax: \"{}\" (only integers are supported)", t.text));
        i = j;
      } else if (is_alnum(c)) {
        size_t j = i;
        while (j < s_.size() && is_alnum(s_[j])) ++j;
        t.text = std::string(s_.substr(i, j - i));
        t.kind = t.text == "true" || t.text == "false" ? Tok::boolean
                 : t.text == "nil"                    ? Tok::nil
                                                      : Tok::ident;
        i = j;
      } else if (c == '(') {
        t.kind = Tok::lparen;
        ++i;
      } else if (c == ')') {
        t.kind = Tok::rparen;
        ++i;
      } else if (c == '|') {
        t.kind = Tok::pipe;
        ++i;
      } else if (c == ',') {
        t.kind = Tok::comma;
        ++i;
      } else if (c == ':' && s_.substr(i, 2) == ":=") {
        t.kind = Tok::declare;
        i += 2;
      } else if (c == '=') {
        t.kind = Tok::assign;
        ++i;
      } else {
        fail(line, fmt::format("unexpected \"{}\" in command", std::string(1, c)));
      }
      out.push_back(std::move(t));
    }
  }

  static bool parse_int_literal(const std::string& text, int64_t& out) {
    std::string s = text;
    bool neg = false;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
      neg = s[0] == '-';
      s.erase(0, 1);
    }
    s.erase(std::remove(s.begin(), s.end(), '_'), s.end());
    int base = 10;
    if (s.size() > 1 && s[0] == '0') {
      const char p = static_cast<char>(s[1] | 0x20);
      if (p == 'x') base = 16, s.erase(0, 2);
      else if (p == 'o') base = 8, s.erase(0, 2);
      else if (p == 'b') base = 2, s.erase(0, 2);
      else base = 8, s.erase(0, 1);
    }
    if (s.empty()) return false;
    // A negative literal reaches one further: -9223372036854775808 is an int64.
    const uint64_t limit = static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + (neg ? 1 : 0);
    uint64_t v = 0;
    for (char c : s) {
      int d = c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : 99;
      if (d >= base) return false;
      if (v > (limit - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) return false;
      v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    }
    out = static_cast<int64_t>(neg ? 0 - v : v);
    return true;
  }

  void handle_action(std::vector<Token>& toks, std::vector<Node*>& stack, std::vector<Node*>& ctl) {
    const int line = line_of(toks[0].pos);
    const std::string& first = toks[0].text;
    if (toks[0].kind == Tok::ident && (first == "if" || first == "with" || first == "range")) {
      auto n = std::make_unique<Node>();
      n->kind = first == "if" ? NodeKind::if_ : first == "with" ? NodeKind::with : NodeKind::range;
      size_t pos = 1;
      n->pipe = parse_pipeline(toks, pos, line, n->kind == NodeKind::range);
      if (n->kind == NodeKind::range) n->range_vars = n->pipe->vars;
      Node* raw = n.get();
      stack.back()->children.push_back(std::move(n));
      ctl.push_back(raw);
      stack.push_back(raw);
      if (raw->kind != NodeKind::if_) ++dynamic_dot_;
      for (auto& v : raw->pipe->vars) declared_.push_back(v);
      return;
    }
    if (toks[0].kind == Tok::ident && first == "else") {
      if (ctl.empty() || stack.back() == ctl.back()->else_list.get() ||
          stack.back() != ctl.back())
        fail(line, "unexpected {{else}}");
      Node* c = ctl.back();
      c->else_list = std::make_unique<Node>();
      stack.back() = c->else_list.get();
      if (toks.size() > 1) {
        // "else if ..." / "else with ...": a nested control in the else list that the same
        // {{end}} closes.
        if (toks[1].kind != Tok::ident || (toks[1].text != "if" && toks[1].text != "with"))
          fail(line, "unexpected tokens after {{else}}");
        if (toks[1].text != (c->kind == NodeKind::if_ ? "if" : "with"))
          fail(line, fmt::format("expected end; found else {}", toks[1].text));
        toks.erase(toks.begin());
        handle_action(toks, stack, ctl);
        chained_.push_back(ctl.back());
      }
      return;
    }
    if (toks[0].kind == Tok::ident && first == "end") {
      if (toks.size() > 1) fail(line, "unexpected tokens in end");
      if (ctl.empty()) fail(line, "unexpected {{end}}");
      while (true) {
        Node* c = ctl.back();
        ctl.pop_back();
        stack.pop_back();
        if (c->kind != NodeKind::if_) --dynamic_dot_;
        auto it = std::find(chained_.begin(), chained_.end(), c);
        if (it == chained_.end()) break;
        chained_.erase(it);
      }
      return;
    }
    if (toks[0].kind == Tok::ident &&
        (first == "define" || first == "template" || first == "block" || first == "break" ||
         first == "continue"))
      fail(line, fmt::format("\"{}\" is not supported in a template of this plugin", first));
    size_t pos = 0;
    auto n = std::make_unique<Node>();
    n->kind = NodeKind::action;
    n->pipe = parse_pipeline(toks, pos, line, false);
    if (n->pipe->declare)
      for (auto& v : n->pipe->vars) declared_.push_back(v);
    stack.back()->children.push_back(std::move(n));
  }

  std::shared_ptr<Pipeline> parse_pipeline(const std::vector<Token>& t, size_t& i, int line,
                                           bool range, bool nested = false) {
    auto p = std::make_shared<Pipeline>();
    p->pos = i < t.size() ? t[i].pos : action_pos_;
    // Declarations: "$x :=", "$x =", and for range "$i, $e :=".
    if (i + 1 < t.size() && t[i].kind == Tok::var && t[i].chain.empty()) {
      size_t j = i;
      std::vector<std::string> vars{t[j].text};
      if (range && j + 3 < t.size() && t[j + 1].kind == Tok::comma && t[j + 2].kind == Tok::var &&
          t[j + 2].chain.empty()) {
        vars.push_back(t[j + 2].text);
        j += 2;
      }
      if (t[j + 1].kind == Tok::declare || t[j + 1].kind == Tok::assign) {
        p->declare = t[j + 1].kind == Tok::declare;
        if (!p->declare && std::find(declared_.begin(), declared_.end(), vars[0]) == declared_.end())
          fail(line, fmt::format("undefined variable \"${}\"", vars[0]));
        p->vars = vars;
        i = j + 2;
      }
    }
    while (true) {
      Command cmd;
      cmd.pos = i < t.size() ? t[i].pos : action_pos_;
      cmd.line = line_of(cmd.pos);
      const size_t nl = s_.rfind('\n', cmd.pos == 0 ? 0 : cmd.pos - 1);
      cmd.col = static_cast<int>(nl == std::string_view::npos || cmd.pos == 0 ? cmd.pos : cmd.pos - nl - 1);
      while (i < t.size() && t[i].kind != Tok::pipe && t[i].kind != Tok::rparen) {
        cmd.args.push_back(parse_operand(t, i, line));
      }
      if (cmd.args.empty()) fail(line, nested ? "missing command in parentheses" : "missing value for command");
      check_command(cmd, line, !p->cmds.empty());
      p->cmds.push_back(std::move(cmd));
      if (i < t.size() && t[i].kind == Tok::pipe) {
        ++i;
        continue;
      }
      break;
    }
    if (!nested && i < t.size()) fail(line, "unexpected \")\" in command");
    if (p->vars.size() > 1 && !range) fail(line, "too many declarations");
    return p;
  }

  Arg parse_operand(const std::vector<Token>& t, size_t& i, int line) {
    const Token& k = t[i];
    Arg a{};
    switch (k.kind) {
      case Tok::field:
        a.kind = ArgKind::field;
        a.chain = k.chain;
        if (!dynamic_dot_) check_fields(Shape::root, a.chain, line);
        break;
      case Tok::var:
        a.kind = ArgKind::var;
        a.text = k.text;
        a.chain = k.chain;
        if (!k.text.empty() &&
            std::find(declared_.begin(), declared_.end(), k.text) == declared_.end())
          fail(line, fmt::format("undefined variable \"${}\"", k.text));
        if (k.text.empty()) check_fields(Shape::root, a.chain, line);
        break;
      case Tok::ident:
        if (!is_function(k.text)) fail(line, fmt::format("function \"{}\" not defined", k.text));
        a.kind = ArgKind::ident;
        a.text = k.text;
        break;
      case Tok::str:
        a.kind = ArgKind::str;
        a.text = k.text;
        break;
      case Tok::num:
        a.kind = ArgKind::num;
        a.text = k.text;
        a.num = k.num;
        break;
      case Tok::boolean:
        a.kind = ArgKind::boolean;
        a.b = k.text == "true";
        a.text = k.text;
        break;
      case Tok::nil: a.kind = ArgKind::nil; break;
      case Tok::lparen: {
        ++i;
        a.kind = ArgKind::pipe;
        a.pipe = parse_pipeline(t, i, line, false, true);
        if (i >= t.size() || t[i].kind != Tok::rparen) fail(line, "unclosed left paren");
        if (i + 1 < t.size() && t[i + 1].kind == Tok::field && t[i + 1].adjacent &&
            !t[i + 1].chain.empty()) {
          a.chain = t[i + 1].chain;
          ++i;
        }
        break;
      }
      default:
        fail(line, "unexpected token in operand");
    }
    ++i;
    return a;
  }

  void check_fields(Shape s, const std::vector<std::string>& chain, int line) {
    for (const auto& f : chain) {
      bool ok;
      Shape next = field_shape(s, f, ok);
      if (!ok)
        fail(line, fmt::format("can't evaluate field {} in type {}", f, shape_type(s)));
      s = next;
    }
  }

  // A command's first operand is what runs: only a function (or the .Meta method) takes
  // arguments, and only a function can receive a pipeline's value.
  void check_command(const Command& c, int line, bool piped) {
    const Arg& f = c.args[0];
    const bool callable = f.kind == ArgKind::ident ||
                          (f.kind == ArgKind::field && !f.chain.empty() && f.chain.back() == "Meta");
    if (!callable && (c.args.size() > 1 || piped))
      fail(line, "can't give argument to non-function");
  }

  const std::string& name_;
  std::string_view s_;
  size_t action_pos_ = 0;
  int dynamic_dot_ = 0;  // inside with/range: '.' is not the query data
  std::vector<std::string> declared_;
  std::vector<Node*> chained_;
};

// ---------------------------------------------------------------------------------------------
// Printing the tree back (Go's Node.String()).

void print_pipe(const Pipeline& p, std::string& out);

void print_chain(const std::vector<std::string>& chain, std::string& out) {
  for (const auto& f : chain) out += "." + f;
}

void print_arg(const Arg& a, std::string& out) {
  switch (a.kind) {
    case ArgKind::field:
      if (a.chain.empty()) out += ".";
      print_chain(a.chain, out);
      break;
    case ArgKind::var:
      out += "$" + a.text;
      print_chain(a.chain, out);
      break;
    case ArgKind::str: out += go_quote(a.text); break;
    case ArgKind::nil: out += "nil"; break;
    case ArgKind::pipe:
      out += "(";
      print_pipe(*a.pipe, out);
      out += ")";
      print_chain(a.chain, out);
      break;
    default: out += a.text;
  }
}

void print_pipe(const Pipeline& p, std::string& out) {
  if (!p.vars.empty()) {
    for (size_t i = 0; i < p.vars.size(); ++i) out += (i ? ", $" : "$") + p.vars[i];
    out += p.declare ? " := " : " = ";
  }
  for (size_t i = 0; i < p.cmds.size(); ++i) {
    if (i) out += " | ";
    for (size_t k = 0; k < p.cmds[i].args.size(); ++k) {
      if (k) out += " ";
      print_arg(p.cmds[i].args[k], out);
    }
  }
}

void print_node(const Node& n, std::string& out) {
  switch (n.kind) {
    case NodeKind::list:
      for (const auto& c : n.children) print_node(*c, out);
      break;
    case NodeKind::text: out += n.text; break;
    case NodeKind::action:
      out += "{{";
      print_pipe(*n.pipe, out);
      out += "}}";
      break;
    default: {
      out += n.kind == NodeKind::if_ ? "{{if " : n.kind == NodeKind::with ? "{{with " : "{{range ";
      print_pipe(*n.pipe, out);
      out += "}}";
      for (const auto& c : n.children) print_node(*c, out);
      if (n.else_list) {
        out += "{{else}}";
        print_node(*n.else_list, out);
      }
      out += "{{end}}";
    }
  }
}

}  // namespace

std::string command_text(const Command& c) {
  std::string out;
  for (size_t k = 0; k < c.args.size(); ++k) {
    if (k) out += " ";
    print_arg(c.args[k], out);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

Template::Template(std::string name, std::string_view text) : name_(std::move(name)) {
  root_ = Parser(name_, text).parse();
  print_node(*root_, normalized_);
}

Template::~Template() = default;
Template::Template(Template&&) noexcept = default;

bool Template::execute(const QueryData& d, std::string& out, std::string& error) const {
  out.clear();
  try {
    run_tree(name_, *root_, d, out);
    return true;
  } catch (const ExecError& e) {
    error = e.what();
    return false;
  }
}

}  // namespace coredns::plugins::tmpl
