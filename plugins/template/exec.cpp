// Executing a template: values, fields of the query data, the builtin functions, printf.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/util/go_quote.h"
#include "plugins/template/tree.h"

namespace coredns::plugins::tmpl {
namespace {

// A rendered record never needs more; a template that prints more is broken (or hostile).
constexpr size_t kMaxOutput = 65535;
constexpr int kMaxWidth = 1000;

struct Value {
  enum Kind { nil, boolean, integer, string, list, map, root, message, question, group };
  Kind kind = nil;
  bool b = false;
  int64_t i = 0;
  bool is_unsigned = false;      // parseInt's uint64
  const char* int_type = "int";  // Go's type, for printf's bad-verb text
  std::string s;
  std::shared_ptr<std::vector<Value>> items;
  std::shared_ptr<std::map<std::string, Value>> entries;

  static Value str(std::string v) {
    Value x;
    x.kind = string;
    x.s = std::move(v);
    return x;
  }
  static Value num(int64_t v, const char* type = "int") {
    Value x;
    x.kind = integer;
    x.i = v;
    x.int_type = type;
    return x;
  }
  static Value boolean_(bool v) {
    Value x;
    x.kind = boolean;
    x.b = v;
    return x;
  }
  static Value of(Kind k) {
    Value x;
    x.kind = k;
    return x;
  }
};

std::string go_type(const Value& v) {
  switch (v.kind) {
    case Value::nil: return "<nil>";
    case Value::boolean: return "bool";
    case Value::integer: return v.int_type;
    case Value::string: return "string";
    case Value::list: return "[]string";
    case Value::map:
    case Value::group: return "map[string]string";
    case Value::root: return "*template.templateData";
    case Value::message: return "*dns.Msg";
    case Value::question: return "dns.Question";
  }
  return "?";
}

std::string int_text(const Value& v) {
  return v.is_unsigned ? std::to_string(static_cast<uint64_t>(v.i)) : std::to_string(v.i);
}

bool truth(const Value& v) {
  switch (v.kind) {
    case Value::nil: return false;
    case Value::boolean: return v.b;
    case Value::integer: return v.i != 0;
    case Value::string: return !v.s.empty();
    case Value::list: return !v.items->empty();
    case Value::map: return !v.entries->empty();
    default: return true;
  }
}

class Executor {
 public:
  Executor(const std::string& name, const QueryData& d, std::string& out)
      : name_(name), d_(d), out_(out) {
    vars_.emplace_back("", Value::of(Value::root));
    dot_ = Value::of(Value::root);
  }

  void run(const Node& n) {
    switch (n.kind) {
      case NodeKind::list:
        for (const auto& c : n.children) run(*c);
        break;
      case NodeKind::text: emit(n.text); break;
      case NodeKind::action: {
        Value v = pipeline(*n.pipe);
        if (n.pipe->vars.empty()) emit(print(v));
        break;
      }
      case NodeKind::if_:
      case NodeKind::with: {
        const size_t mark = vars_.size();
        Value v = pipeline(*n.pipe);
        if (truth(v)) {
          Value saved = dot_;
          if (n.kind == NodeKind::with) dot_ = v;
          for (const auto& c : n.children) run(*c);
          dot_ = saved;
        } else if (n.else_list) {
          run(*n.else_list);
        }
        vars_.resize(mark);
        break;
      }
      case NodeKind::range: run_range(n); break;
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    if (!cur_) throw ExecError(fmt::format("template: {}: {}", name_, what));
    throw ExecError(fmt::format("template: {}:{}:{}: executing \"{}\" at <{}>: {}", name_,
                                cur_->line, cur_->col, name_, command_text(*cur_), what));
  }

  void emit(const std::string& s) {
    if (out_.size() + s.size() > kMaxOutput)
      fail(fmt::format("output longer than {} bytes", kMaxOutput));
    out_ += s;
  }

  void run_range(const Node& n) {
    const size_t mark = vars_.size();
    Value v = pipeline_value(*n.pipe);
    std::vector<std::pair<Value, Value>> items;
    if (v.kind == Value::list) {
      for (size_t k = 0; k < v.items->size(); ++k) items.emplace_back(Value::num(static_cast<int64_t>(k)), (*v.items)[k]);
    } else if (v.kind == Value::map || v.kind == Value::group) {
      Value m = v.kind == Value::group ? group_map() : v;
      for (auto& [k, e] : *m.entries) items.emplace_back(Value::str(k), e);
    } else {
      fail(fmt::format("range can't iterate over {}", print_value(v)));
    }
    if (items.empty()) {
      if (n.else_list) run(*n.else_list);
      vars_.resize(mark);
      return;
    }
    Value saved = dot_;
    for (auto& [k, e] : items) {
      vars_.resize(mark);
      if (n.range_vars.size() == 1) vars_.emplace_back(n.range_vars[0], e);
      if (n.range_vars.size() == 2) {
        vars_.emplace_back(n.range_vars[0], k);
        vars_.emplace_back(n.range_vars[1], e);
      }
      dot_ = e;
      for (const auto& c : n.children) run(*c);
    }
    dot_ = saved;
    vars_.resize(mark);
  }

  // The value of a pipeline; declares or assigns its variables.
  Value pipeline(const Pipeline& p) {
    Value v = pipeline_value(p);
    if (!p.vars.empty()) {
      if (p.declare) {
        vars_.emplace_back(p.vars[0], v);
      } else {
        for (auto it = vars_.rbegin(); it != vars_.rend(); ++it)
          if (it->first == p.vars[0]) {
            it->second = v;
            break;
          }
      }
    }
    return v;
  }

  Value pipeline_value(const Pipeline& p) {
    Value v;
    bool have = false;
    for (const auto& c : p.cmds) {
      v = command(c, have ? &v : nullptr);
      have = true;
    }
    return v;
  }

  Value command(const Command& c, const Value* piped) {
    const Command* saved = cur_;
    cur_ = &c;
    const Arg& f = c.args[0];
    Value v;
    if (f.kind == ArgKind::ident) {
      v = call(f.text, c.args, 1, piped);
    } else if (f.kind == ArgKind::field && !f.chain.empty() && f.chain.back() == "Meta") {
      // .Meta "label": CoreDNS's metadata; this build has no metadata plugin, so every label is
      // unknown and gives "", as in CoreDNS without it.
      std::vector<std::string> recv(f.chain.begin(), f.chain.end() - 1);
      if (chain_of(dot_, recv).kind != Value::root)
        fail("can't evaluate field Meta in type " + go_type(chain_of(dot_, recv)));
      const size_t n = c.args.size() - 1 + (piped ? 1 : 0);
      if (n != 1) fail(fmt::format("wrong number of args for Meta: want 1 got {}", n));
      Value label = piped ? *piped : arg(c.args[1]);
      if (label.kind != Value::string) fail("wrong type for value; expected string; got " + go_type(label));
      v = Value::str("");
    } else {
      v = arg(f);
    }
    cur_ = saved;
    return v;
  }

  Value arg(const Arg& a) {
    switch (a.kind) {
      case ArgKind::field: return chain_of(dot_, a.chain);
      case ArgKind::var: {
        for (auto it = vars_.rbegin(); it != vars_.rend(); ++it)
          if (it->first == a.text) return chain_of(it->second, a.chain);
        fail(fmt::format("undefined variable: ${}", a.text));
      }
      case ArgKind::ident: {
        std::vector<Arg> none{a};
        return call(a.text, none, 1, nullptr);
      }
      case ArgKind::str: return Value::str(a.text);
      case ArgKind::num: return Value::num(a.num);
      case ArgKind::boolean: return Value::boolean_(a.b);
      case ArgKind::nil: return Value{};
      case ArgKind::pipe: {
        Value v = pipeline_value(*a.pipe);
        return chain_of(v, a.chain);
      }
    }
    return Value{};
  }

  Value chain_of(Value v, const std::vector<std::string>& chain) {
    for (const auto& f : chain) v = field(v, f);
    return v;
  }

  Value field(const Value& v, const std::string& f) {
    switch (v.kind) {
      case Value::root:
        if (f == "Name") return Value::str(d_.name);
        if (f == "Zone") return Value::str(d_.zone);
        if (f == "Class") return Value::str(d_.cls);
        if (f == "Type") return Value::str(d_.type);
        if (f == "Regex") return Value::str(d_.regex);
        if (f == "Remote") return Value::str(d_.remote);
        if (f == "Match") return match_list();
        if (f == "Group") return Value::of(Value::group);
        if (f == "Var") {
          Value m = Value::of(Value::map);
          m.entries = std::make_shared<std::map<std::string, Value>>();
          return m;
        }
        if (f == "Message") return Value::of(Value::message);
        if (f == "Question") return Value::of(Value::question);
        if (f == "Meta") fail("wrong number of args for Meta: want 1 got 0");
        break;
      case Value::message:
        if (f == "Id") return Value::num(d_.id, "uint16");
        if (f == "Opcode") return Value::num(d_.opcode);
        if (f == "Rcode") return Value::num(d_.rcode);
        if (f == "Response") return Value::boolean_(d_.response);
        if (f == "Authoritative") return Value::boolean_(d_.authoritative);
        if (f == "Truncated") return Value::boolean_(d_.truncated);
        if (f == "RecursionDesired") return Value::boolean_(d_.recursion_desired);
        if (f == "RecursionAvailable") return Value::boolean_(d_.recursion_available);
        if (f == "Zero") return Value::boolean_(d_.zero);
        if (f == "AuthenticatedData") return Value::boolean_(d_.authenticated_data);
        if (f == "CheckingDisabled") return Value::boolean_(d_.checking_disabled);
        if (f == "Question") {
          Value l = Value::of(Value::list);
          l.items = std::make_shared<std::vector<Value>>(1, Value::of(Value::question));
          return l;
        }
        break;
      case Value::question:
        if (f == "Name") return Value::str(d_.question_name);
        if (f == "Qtype") return Value::num(d_.qtype, "uint16");
        if (f == "Qclass") return Value::num(d_.qclass, "uint16");
        break;
      case Value::group: return group_value(f);
      case Value::map: {
        auto it = v.entries->find(f);
        return it == v.entries->end() ? Value{} : it->second;
      }
      case Value::nil: fail(fmt::format("nil pointer evaluating interface {{}}.{}", f));
      default: break;
    }
    fail(fmt::format("can't evaluate field {} in type {}", f, go_type(v)));
  }

  Value match_list() const {
    Value l = Value::of(Value::list);
    l.items = std::make_shared<std::vector<Value>>();
    for (const auto& m : d_.match) l.items->push_back(Value::str(m));
    return l;
  }

  // .Group.KEY: "0", "1", ... for every group and each named group's name.
  Value group_value(const std::string& key) const {
    if (!key.empty() && key.size() < 6 && std::all_of(key.begin(), key.end(), ::isdigit)) {
      const size_t n = std::stoul(key);
      if (n < d_.match.size() && std::to_string(n) == key) return Value::str(d_.match[n]);
    }
    if (d_.named) {
      auto it = d_.named->find(key);
      if (it != d_.named->end() && static_cast<size_t>(it->second) < d_.match.size())
        return Value::str(d_.match[static_cast<size_t>(it->second)]);
    }
    return Value{};
  }

  Value group_map() const {
    Value m = Value::of(Value::map);
    m.entries = std::make_shared<std::map<std::string, Value>>();
    for (size_t k = 0; k < d_.match.size(); ++k) (*m.entries)[std::to_string(k)] = Value::str(d_.match[k]);
    if (d_.named)
      for (const auto& [name, idx] : *d_.named)
        if (static_cast<size_t>(idx) < d_.match.size())
          (*m.entries)[name] = Value::str(d_.match[static_cast<size_t>(idx)]);
    return m;
  }

  // How an action prints a value (fmt.Print), or an error for what cannot be printed here.
  std::string print(const Value& v) {
    if (v.kind == Value::root || v.kind == Value::message || v.kind == Value::question)
      fail("printing " + go_type(v) + " is not supported");
    return print_value(v);
  }

  std::string print_value(const Value& v) const {
    switch (v.kind) {
      case Value::nil: return "<no value>";
      case Value::boolean: return v.b ? "true" : "false";
      case Value::integer: return int_text(v);
      case Value::string: return v.s;
      case Value::list: {
        std::string out = "[";
        for (size_t k = 0; k < v.items->size(); ++k) out += (k ? " " : "") + print_value((*v.items)[k]);
        return out + "]";
      }
      case Value::map:
      case Value::group: {
        Value m = v.kind == Value::group ? group_map() : v;
        std::string out = "map[";
        bool first = true;
        for (const auto& [k, e] : *m.entries) {
          out += (first ? "" : " ") + k + ":" + print_value(e);
          first = false;
        }
        return out + "]";
      }
      default: return "{" + go_type(v) + "}";
    }
  }

  // ---- functions

  std::vector<Value> eval_args(const std::vector<Arg>& args, size_t from, const Value* piped) {
    std::vector<Value> out;
    for (size_t k = from; k < args.size(); ++k) out.push_back(arg(args[k]));
    if (piped) out.push_back(*piped);
    return out;
  }

  void want(const std::string& fn, const std::vector<Value>& a, size_t n) const {
    if (a.size() != n)
      const_cast<Executor*>(this)->fail(
          fmt::format("wrong number of args for {}: want {} got {}", fn, n, a.size()));
  }

  Value call(const std::string& fn, const std::vector<Arg>& args, size_t from, const Value* piped) {
    if (fn == "and" || fn == "or") {
      const size_t n = args.size() - from + (piped ? 1 : 0);
      if (n == 0) fail(fmt::format("wrong number of args for {}: want at least 1 got 0", fn));
      Value v;
      for (size_t k = from; k < args.size(); ++k) {
        v = arg(args[k]);
        if (truth(v) == (fn == "or")) return v;
      }
      return piped ? *piped : v;
    }
    std::vector<Value> a = eval_args(args, from, piped);
    if (fn == "not") {
      want(fn, a, 1);
      return Value::boolean_(!truth(a[0]));
    }
    if (fn == "len") return fn_len(a);
    if (fn == "index") return fn_index(a);
    if (fn == "slice") return fn_slice(a);
    if (fn == "print") return Value::str(sprint(a));
    if (fn == "println") {
      std::string s;
      for (size_t k = 0; k < a.size(); ++k) s += (k ? " " : "") + print_value(a[k]);
      return Value::str(s + "\n");
    }
    if (fn == "printf") {
      if (a.empty() || a[0].kind != Value::string)
        fail("error calling printf: format is not a string");
      return Value::str(sprintf(a[0].s, a, 1));
    }
    if (fn == "eq" || fn == "ne" || fn == "lt" || fn == "le" || fn == "gt" || fn == "ge")
      return compare(fn, a);
    if (fn == "html") return Value::str(html_escape(text_of(a)));
    if (fn == "js") return Value::str(js_escape(text_of(a)));
    if (fn == "urlquery") return Value::str(query_escape(text_of(a)));
    if (fn == "call") {
      if (a.empty()) fail("wrong number of args for call: want at least 1 got 0");
      fail("error calling call: non-function of type " + go_type(a[0]));
    }
    if (fn == "parseInt") return parse_int(a);
    fail(fmt::format("function \"{}\" not defined", fn));
  }

  std::string text_of(const std::vector<Value>& a) const {
    return a.size() == 1 && a[0].kind == Value::string ? a[0].s : sprint(a);
  }

  std::string sprint(const std::vector<Value>& a) const {
    std::string s;
    for (size_t k = 0; k < a.size(); ++k) {
      if (k && a[k].kind != Value::string && a[k - 1].kind != Value::string) s += " ";
      s += print_value(a[k]);
    }
    return s;
  }

  Value fn_len(const std::vector<Value>& a) {
    want("len", a, 1);
    const Value& v = a[0];
    switch (v.kind) {
      case Value::string: return Value::num(static_cast<int64_t>(v.s.size()));
      case Value::list: return Value::num(static_cast<int64_t>(v.items->size()));
      case Value::map: return Value::num(static_cast<int64_t>(v.entries->size()));
      case Value::group: return Value::num(static_cast<int64_t>(group_map().entries->size()));
      case Value::nil: fail("error calling len: len of nil pointer");
      default: fail("error calling len: len of type " + go_type(v));
    }
  }

  int64_t index_of(const Value& v, const char* fn) {
    if (v.kind != Value::integer) fail(fmt::format("error calling {}: cannot index slice/array with type {}", fn, go_type(v)));
    return v.i;
  }

  Value fn_index(const std::vector<Value>& a) {
    if (a.empty()) fail("wrong number of args for index: want at least 1 got 0");
    Value v = a[0];
    for (size_t k = 1; k < a.size(); ++k) {
      const Value& key = a[k];
      if (v.kind == Value::list) {
        const int64_t i = index_of(key, "index");
        if (i < 0 || static_cast<size_t>(i) >= v.items->size())
          fail(fmt::format("error calling index: index out of range: {}", i));
        v = Value((*v.items)[static_cast<size_t>(i)]);
      } else if (v.kind == Value::string) {
        const int64_t i = index_of(key, "index");
        if (i < 0 || static_cast<size_t>(i) >= v.s.size())
          fail(fmt::format("error calling index: index out of range: {}", i));
        v = Value::num(static_cast<unsigned char>(v.s[static_cast<size_t>(i)]), "uint8");
      } else if (v.kind == Value::map || v.kind == Value::group) {
        if (key.kind != Value::string)
          fail("error calling index: value has type " + go_type(key) + "; should be string");
        v = v.kind == Value::group ? group_value(key.s) : field(v, key.s);
      } else if (v.kind == Value::nil) {
        fail("error calling index: index of untyped nil");
      } else {
        fail("error calling index: can't index item of type " + go_type(v));
      }
    }
    return v;
  }

  Value fn_slice(const std::vector<Value>& a) {
    if (a.empty()) fail("wrong number of args for slice: want at least 1 got 0");
    if (a.size() > 3) fail("error calling slice: too many slice indexes: " + std::to_string(a.size() - 1));
    const Value& v = a[0];
    if (v.kind != Value::string && v.kind != Value::list)
      fail("error calling slice: can't slice item of type " + go_type(v));
    const int64_t len = v.kind == Value::string ? static_cast<int64_t>(v.s.size())
                                                : static_cast<int64_t>(v.items->size());
    int64_t lo = a.size() > 1 ? index_of(a[1], "slice") : 0;
    int64_t hi = a.size() > 2 ? index_of(a[2], "slice") : len;
    if (lo < 0 || lo > len) fail(fmt::format("error calling slice: index out of range: {}", lo));
    if (hi < 0 || hi > len) fail(fmt::format("error calling slice: index out of range: {}", hi));
    if (lo > hi) fail(fmt::format("error calling slice: invalid slice index: {} > {}", lo, hi));
    if (v.kind == Value::string)
      return Value::str(v.s.substr(static_cast<size_t>(lo), static_cast<size_t>(hi - lo)));
    Value l = Value::of(Value::list);
    l.items = std::make_shared<std::vector<Value>>(v.items->begin() + lo, v.items->begin() + hi);
    return l;
  }

  Value compare(const std::string& fn, const std::vector<Value>& a) {
    if (a.size() < 2 && !(fn == "eq" && a.size() >= 1))
      fail(fmt::format("wrong number of args for {}: want 2 got {}", fn, a.size()));
    if (fn == "eq" && a.size() < 2) fail("missing argument for comparison");
    auto cmp = [&](const Value& x, const Value& y) -> int {
      if (x.kind == Value::integer && y.kind == Value::integer) {
        // By value across int and uint, as Go's eq/lt do; no __int128 (32-bit ARM has none). A
        // negative int is below every uint; otherwise the 64-bit patterns order as the values.
        const bool x_negative = !x.is_unsigned && x.i < 0, y_negative = !y.is_unsigned && y.i < 0;
        if (x_negative != y_negative) return x_negative ? -1 : 1;
        const auto p = static_cast<uint64_t>(x.i), q = static_cast<uint64_t>(y.i);
        return p < q ? -1 : p > q;
      }
      if (x.kind == Value::string && y.kind == Value::string) return x.s < y.s ? -1 : x.s > y.s;
      if (x.kind == Value::boolean && y.kind == Value::boolean) {
        if (fn != "eq" && fn != "ne") fail(fmt::format("error calling {}: invalid type for comparison", fn));
        return x.b == y.b ? 0 : 1;
      }
      if (x.kind != y.kind) fail(fmt::format("error calling {}: incompatible types for comparison", fn));
      fail(fmt::format("error calling {}: invalid type for comparison", fn));
    };
    if (fn == "eq") {
      for (size_t k = 1; k < a.size(); ++k)
        if (cmp(a[0], a[k]) == 0) return Value::boolean_(true);
      return Value::boolean_(false);
    }
    if (a.size() != 2) fail(fmt::format("wrong number of args for {}: want 2 got {}", fn, a.size()));
    const int c = cmp(a[0], a[1]);
    if (fn == "ne") return Value::boolean_(c != 0);
    if (fn == "lt") return Value::boolean_(c < 0);
    if (fn == "le") return Value::boolean_(c <= 0);
    if (fn == "gt") return Value::boolean_(c > 0);
    return Value::boolean_(c >= 0);
  }

  // parseInt STRING BASE BITSIZE: strconv.ParseUint.
  Value parse_int(const std::vector<Value>& a) {
    want("parseInt", a, 3);
    if (a[0].kind != Value::string) fail("wrong type for value; expected string; got " + go_type(a[0]));
    for (size_t k = 1; k < 3; ++k)
      if (a[k].kind != Value::integer) fail("wrong type for value; expected int; got " + go_type(a[k]));
    const std::string& s0 = a[0].s;
    auto bad = [&](const char* why) {
      fail(fmt::format("error calling parseInt: strconv.ParseUint: parsing {}: {}", go_quote(s0), why));
    };
    if (s0.empty()) bad("invalid syntax");
    int64_t base = a[1].i, bits = a[2].i;
    std::string s = s0;
    const bool base0 = base == 0;
    if (base0) {
      base = 10;
      if (s[0] == '0') {
        if (s.size() >= 3 && (s[1] | 0x20) == 'b') base = 2, s.erase(0, 2);
        else if (s.size() >= 3 && (s[1] | 0x20) == 'o') base = 8, s.erase(0, 2);
        else if (s.size() >= 3 && (s[1] | 0x20) == 'x') base = 16, s.erase(0, 2);
        else base = 8, s.erase(0, 1);
        if (s.empty()) return Value::num(0, "uint64");
      }
    } else if (base < 2 || base > 36) {
      fail(fmt::format("error calling parseInt: strconv.ParseUint: parsing {}: invalid base {}", go_quote(s0), base));
    }
    if (bits == 0) bits = 64;
    if (bits < 0 || bits > 64)
      fail(fmt::format("error calling parseInt: strconv.ParseUint: parsing {}: invalid bit size {}", go_quote(s0), bits));
    const uint64_t max = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
    uint64_t v = 0;
    bool range = false;
    for (char c : s) {
      if (c == '_' && base0) continue;
      int d = c >= '0' && c <= '9' ? c - '0'
              : (c | 0x20) >= 'a' && (c | 0x20) <= 'z' ? (c | 0x20) - 'a' + 10
                                                       : 99;
      if (d >= base) bad("invalid syntax");
      const auto digit = static_cast<uint64_t>(d), radix = static_cast<uint64_t>(base);
      if (digit > max || v > (max - digit) / radix) range = true, v = max;  // v*radix+digit > max
      else v = v * radix + digit;
    }
    if (range) bad("value out of range");
    Value r = Value::num(static_cast<int64_t>(v), "uint64");
    r.is_unsigned = true;
    return r;
  }

  static std::string html_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
      switch (c) {
        case '"': out += "&#34;"; break;
        case '\'': out += "&#39;"; break;
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '\0': out += "\xEF\xBF\xBD"; break;
        default: out += c;
      }
    }
    return out;
  }

  static std::string js_escape(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
      switch (c) {
        case '\\': out += "\\\\"; break;
        case '\'': out += "\\'"; break;
        case '"': out += "\\\""; break;
        case '<': out += "\\u003C"; break;
        case '>': out += "\\u003E"; break;
        case '&': out += "\\u0026"; break;
        case '=': out += "\\u003D"; break;
        default:
          if (c < 0x20) out += fmt::format("\\u{:04X}", c);
          else out += static_cast<char>(c);
      }
    }
    return out;
  }

  static std::string query_escape(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
      if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
      else if (c == ' ') out += '+';
      else out += fmt::format("%{:02X}", c);
    }
    return out;
  }

  // fmt.Sprintf for the verbs templates use: %v %s %d %x %X %o %b %c %q %t %%, with the flags
  // - + # 0 and space, a width and a precision.
  std::string sprintf(const std::string& f, const std::vector<Value>& a, size_t next) {
    std::string out;
    for (size_t i = 0; i < f.size(); ++i) {
      if (f[i] != '%') {
        out += f[i];
        continue;
      }
      if (++i == f.size()) {
        out += "%!(NOVERB)";
        break;
      }
      bool minus = false, plus = false, sharp = false, zero = false, space = false;
      for (; i < f.size(); ++i) {
        const char c = f[i];
        if (c == '-') minus = true;
        else if (c == '+') plus = true;
        else if (c == '#') sharp = true;
        else if (c == '0') zero = true;
        else if (c == ' ') space = true;
        else break;
      }
      auto number = [&](int& n) {
        bool any = false;
        n = 0;
        while (i < f.size() && f[i] >= '0' && f[i] <= '9') {
          n = std::min(n * 10 + (f[i++] - '0'), kMaxWidth + 1);
          any = true;
        }
        if (n > kMaxWidth) fail(fmt::format("error calling printf: width or precision over {}", kMaxWidth));
        return any;
      };
      int width = 0, prec = -1;
      number(width);
      if (i < f.size() && f[i] == '.') {
        ++i;
        number(prec);
      }
      if (i == f.size()) {
        out += "%!(NOVERB)";
        break;
      }
      const char verb = f[i];
      if (verb == '%') {
        out += '%';
        continue;
      }
      if (next >= a.size()) {
        out += fmt::format("%!{}(MISSING)", verb);
        continue;
      }
      const Value& v = a[next++];
      std::string body;
      bool numeric = false, ok = true;
      std::string sign;
      switch (verb) {
        case 'v':
          body = print_value(v);
          numeric = v.kind == Value::integer;
          break;
        case 's':
          if (v.kind == Value::string || v.kind == Value::list) body = print_value(v);
          else ok = false;
          break;
        case 'q':
          if (v.kind == Value::string) body = go_quote(v.s);
          else ok = false;
          break;
        case 't':
          if (v.kind == Value::boolean) body = v.b ? "true" : "false";
          else ok = false;
          break;
        case 'c':
          if (v.kind == Value::integer && v.i >= 0 && v.i < 0x110000) body = utf8(static_cast<uint32_t>(v.i));
          else ok = false;
          break;
        case 'd': case 'x': case 'X': case 'o': case 'b':
          if (v.kind == Value::integer) {
            numeric = true;
            const bool neg = !v.is_unsigned && v.i < 0;
            const uint64_t mag = neg ? 0 - static_cast<uint64_t>(v.i) : static_cast<uint64_t>(v.i);
            body = verb == 'd' ? fmt::format("{}", mag)
                   : verb == 'x' ? fmt::format("{:x}", mag)
                   : verb == 'X' ? fmt::format("{:X}", mag)
                   : verb == 'o' ? fmt::format("{:o}", mag)
                                 : fmt::format("{:b}", mag);
            if (prec >= 0 && static_cast<int>(body.size()) < prec) body.insert(0, static_cast<size_t>(prec) - body.size(), '0');
            if (sharp && verb == 'x') sign = "0x";
            if (sharp && verb == 'X') sign = "0X";
            if (sharp && verb == 'o') sign = "0";
            sign = (neg ? "-" : plus ? "+" : space ? " " : "") + sign;
          } else if (v.kind == Value::string && (verb == 'x' || verb == 'X')) {
            for (unsigned char c : v.s) body += verb == 'x' ? fmt::format("{:02x}", c) : fmt::format("{:02X}", c);
          } else {
            ok = false;
          }
          break;
        default: ok = false;
      }
      if (!ok) {
        out += v.kind == Value::nil ? fmt::format("%!{}(<nil>)", verb)
                                    : fmt::format("%!{}({}={})", verb, go_type(v), print_value(v));
        continue;
      }
      if ((verb == 's' || verb == 'q' || verb == 'v') && !numeric && prec >= 0 &&
          static_cast<int>(body.size()) > prec)
        body.resize(static_cast<size_t>(prec));
      const int len = static_cast<int>(sign.size() + body.size());
      if (len >= width) {
        out += sign + body;
      } else if (minus) {
        out += sign + body + std::string(static_cast<size_t>(width - len), ' ');
      } else if (zero && !(numeric && prec >= 0)) {
        out += sign + std::string(static_cast<size_t>(width - len), '0') + body;
      } else {
        out += std::string(static_cast<size_t>(width - len), ' ') + sign + body;
      }
      if (out.size() > kMaxOutput) fail(fmt::format("output longer than {} bytes", kMaxOutput));
    }
    if (next < a.size()) {
      out += "%!(EXTRA ";
      for (size_t k = next; k < a.size(); ++k)
        out += (k > next ? ", " : "") + go_type(a[k]) + "=" + print_value(a[k]);
      out += ")";
    }
    return out;
  }

  static std::string utf8(uint32_t r) {
    std::string s;
    if (r >= 0xD800 && r < 0xE000) r = 0xFFFD;
    if (r < 0x80) s += static_cast<char>(r);
    else if (r < 0x800) s += static_cast<char>(0xC0 | (r >> 6)), s += static_cast<char>(0x80 | (r & 0x3F));
    else if (r < 0x10000)
      s += static_cast<char>(0xE0 | (r >> 12)), s += static_cast<char>(0x80 | ((r >> 6) & 0x3F)),
          s += static_cast<char>(0x80 | (r & 0x3F));
    else
      s += static_cast<char>(0xF0 | (r >> 18)), s += static_cast<char>(0x80 | ((r >> 12) & 0x3F)),
          s += static_cast<char>(0x80 | ((r >> 6) & 0x3F)), s += static_cast<char>(0x80 | (r & 0x3F));
    return s;
  }

  const std::string& name_;
  const QueryData& d_;
  std::string& out_;
  std::vector<std::pair<std::string, Value>> vars_;
  Value dot_;
  const Command* cur_ = nullptr;
};

}  // namespace

void run_tree(const std::string& name, const Node& root, const QueryData& d, std::string& out) {
  Executor(name, d, out).run(root);
}

}  // namespace coredns::plugins::tmpl
