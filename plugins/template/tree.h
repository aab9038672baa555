#pragma once
// The parse tree of a template (engine.cpp builds it, exec.cpp runs it).
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "plugins/template/engine.h"

namespace coredns::plugins::tmpl {


struct Arg;
struct Pipeline;

struct Command {
  std::vector<Arg> args;
  size_t pos = 0;
  int line = 1, col = 0;  // of the command's first operand, for error messages
};

struct Pipeline {
  std::vector<std::string> vars;  // declared or assigned variables
  bool declare = false;           // := (else =, when vars is not empty)
  std::vector<Command> cmds;
  size_t pos = 0;
};

enum class ArgKind { field, var, ident, str, num, boolean, nil, pipe };

struct Arg {
  ArgKind kind;
  std::string text;                // ident name, string, var name, number source
  std::vector<std::string> chain;  // fields after the operand
  int64_t num = 0;
  bool b = false;
  std::shared_ptr<Pipeline> pipe;  // parenthesised
};

enum class NodeKind { list, text, action, if_, with, range };

struct Node {
  NodeKind kind = NodeKind::list;
  std::string text;                 // text node
  std::shared_ptr<Pipeline> pipe;   // action / if / with / range
  std::vector<std::unique_ptr<Node>> children;  // list; or body of if/with/range
  std::unique_ptr<Node> else_list;  // if/with/range
  std::vector<std::string> range_vars;
};

// A command as Go prints it ("index .Match 2"), for error messages.
std::string command_text(const Command& c);

// An execution error, with Go's text.
class ExecError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Renders `root` for `d` into `out`; throws ExecError.
void run_tree(const std::string& name, const Node& root, const QueryData& d, std::string& out);

}  // namespace coredns::plugins::tmpl
