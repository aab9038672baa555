#pragma once
// The part of Go's text/template language CoreDNS's template plugin users write (see README.md,
// "Template language"): text and {{ actions }} with trim markers and comments; fields of the
// query data, variables, string/integer/boolean literals, function calls, parenthesised calls
// and pipelines; if/else if/else, with, range; the builtin functions and parseInt. Anything
// else is refused when the template is compiled, never mis-executed.
#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace coredns::plugins::tmpl {

// What a template sees of one query (CoreDNS's templateData).
struct QueryData {
  std::string name;    // lower-cased qname, fully qualified
  std::string zone;    // the template zone that matched
  std::string cls;     // class mnemonic
  std::string type;    // type mnemonic ("" for an unknown number)
  std::string regex;   // the pattern that matched
  std::string remote;  // client address, no port
  std::vector<std::string> match;  // whole match, then each group ("" if it took no part)
  const std::map<std::string, int>* named = nullptr;  // named group -> index into `match`
  // The request message (.Message, .Question).
  std::string question_name;  // as sent
  uint16_t qtype = 0, qclass = 0, id = 0;
  uint8_t opcode = 0, rcode = 0;
  bool response = false, authoritative = false, truncated = false, recursion_desired = false,
       recursion_available = false, zero = false, authenticated_data = false,
       checking_disabled = false;
};

// A compile error: the text CoreDNS's Go template package reports, "template: answer:1:
// unclosed action".
class TemplateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Node;

class Template {
 public:
  // Compiles `text` as the template called `name` ("answer", "additional", "authority");
  // throws TemplateError.
  Template(std::string name, std::string_view text);
  ~Template();
  Template(Template&&) noexcept;

  // Renders the template for `d` into `out`. False with `error` ("template: answer:1:12:
  // executing "answer" at <index .Match 2>: error calling index: index out of range: 2") when
  // an action fails.
  bool execute(const QueryData& d, std::string& out, std::string& error) const;
  // The template printed back from its parse tree, as Go's Tree.Root.String() (the metrics'
  // `template` label): "{{.Name}} 60 IN A {{index .Match 1}}".
  const std::string& normalized() const { return normalized_; }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::unique_ptr<Node> root_;
  std::string normalized_;
};

}  // namespace coredns::plugins::tmpl
