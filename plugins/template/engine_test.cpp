// The template language: what real Corefiles write renders as Go's text/template renders it;
// what is not supported is refused at compile time.
#include <catch2/catch.hpp>

#include "core/util/regex.h"
#include "plugins/template/engine.h"

using namespace coredns;
using namespace coredns::plugins::tmpl;

namespace {

QueryData data_for(const std::string& name, const std::string& pattern) {
  static std::vector<std::unique_ptr<Regex>> keep;
  keep.push_back(std::make_unique<Regex>(pattern));
  QueryData d;
  d.name = name;
  d.zone = "example.";
  d.cls = "IN";
  d.type = "A";
  d.regex = pattern;
  d.remote = "10.240.0.1";
  d.question_name = "IP-10-95-12-8.Example.";
  d.qtype = 1;
  d.qclass = 1;
  d.id = 4242;
  d.recursion_desired = true;
  REQUIRE(keep.back()->search(name, d.match));
  d.named = &keep.back()->named_groups();
  return d;
}

const char* kIpRegex = R"((^|[.])ip-10-(?P<b>[0-9]*)-(?P<c>[0-9]*)-(?P<d>[0-9]*)[.]example[.]$)";

std::string render(const std::string& text, const QueryData& d) {
  Template t("answer", text);
  std::string out, error;
  REQUIRE(t.execute(d, out, error));
  CHECK(error.empty());
  return out;
}

std::string exec_error(const std::string& text, const QueryData& d) {
  Template t("answer", text);
  std::string out, error;
  CHECK_FALSE(t.execute(d, out, error));
  return error;
}

std::string compile_error(const std::string& text) {
  try {
    Template t("answer", text);
  } catch (const TemplateError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("engine: the fields of the README and Kubernetes examples") {
  const QueryData d = data_for("ip-10-95-12-8.example.", kIpRegex);
  CHECK(render("{{ .Name }} 60 IN A 10.{{ .Group.b }}.{{ .Group.c }}.{{ .Group.d }}", d) ==
        "ip-10-95-12-8.example. 60 IN A 10.95.12.8");
  CHECK(render("{{ index .Match 2 }}-{{ index .Match 4 }}|{{ .Group.d }}|{{ .Group.4 }}", d) ==
        "95-8|8|8");
  CHECK(render("{{ .Zone }} {{ .Class }} {{ .Type }} {{ .Remote }}", d) == "example. IN A 10.240.0.1");
  CHECK(render("{{ .Regex }}", d) == kIpRegex);
  CHECK(render("{{ .Group.nosuch }}", d) == "<no value>");
  CHECK(render("{{ index .Match 1 }}", d) == "");  // (^|[.]) matched the empty start
  CHECK(render("{{ .Question.Name }} {{ .Question.Qtype }} {{ .Message.Id }} {{ .Message.RecursionDesired }}", d) ==
        "IP-10-95-12-8.Example. 1 4242 true");
  CHECK(render(R"({{ .Meta "foo" }}-{{ .Name }})", d) == "-ip-10-95-12-8.example.");
  CHECK(render("{{ len .Var }} {{ .Var.x }}", d) == "0 <no value>");
}

TEST_CASE("engine: parseInt, printf and the builtin functions") {
  const QueryData d = data_for("ip0a5f0c09.example.", R"(^ip0a(?P<b>[a-f0-9]{2})(?P<c>[a-f0-9]{2})(?P<d>[a-f0-9]{2})[.]example[.]$)");
  CHECK(render("10.{{ parseInt .Group.b 16 8 }}.{{ parseInt .Group.c 16 8 }}.{{ parseInt .Group.d 16 8 }}", d) ==
        "10.95.12.9");
  CHECK(render(R"({{ printf "%02x-%s-%d-%5s|%-4d|%x" 10 .Group.b 42 "ab" 7 "hi" }})", d) ==
        "0a-5f-42-   ab|7   |6869");
  CHECK(render(R"({{ printf "%d %s" "x" }})", d) == "%!d(string=x) %!s(MISSING)");
  CHECK(render(R"({{ print 1 2 "a" 3 }}|{{ println "x" 1 }})", d) == "1 2a3|x 1\n");
  CHECK(render(R"({{ len .Name }} {{ len .Match }} {{ index .Name 0 }} {{ slice .Name 2 4 }})", d) ==
        "19 4 105 0a");
  CHECK(render(R"({{ eq .Group.b "5f" }} {{ ne 1 2 }} {{ lt 1 2 }} {{ ge "a" "b" }} {{ eq 3 1 2 3 }})", d) ==
        "true true true false true");
  CHECK(render(R"({{ and 1 0 }} {{ or 0 "" "x" }} {{ not .Name }})", d) == "0 x false");
  CHECK(render(R"({{ html "<a&'>" }} {{ js "a'b<" }} {{ urlquery "a b/c" }})", d) ==
        "&lt;a&amp;&#39;&gt; a\\'b\\u003C a+b%2Fc");
  CHECK(render(R"({{ .Name | printf "%s." }} {{ "0x1f" | printf "%s" | len }})", d) ==
        "ip0a5f0c09.example.. 4");
  CHECK(render(R"({{ (parseInt "ff" 16 0) }} {{ parseInt "0x10" 0 64 }})", d) == "255 16");
  // Integers compare by value across int and uint (parseInt gives a uint64), at the edges too.
  CHECK(render(R"({{ lt -1 (parseInt "5" 10 64) }} {{ gt (parseInt "18446744073709551615" 10 64) -1 }})", d) ==
        "true true");
  CHECK(render(R"({{ lt (parseInt "18446744073709551615" 10 64) 1 }} {{ eq (parseInt "7" 10 8) 7 }})", d) ==
        "false true");
  CHECK(render(R"({{ lt -9223372036854775808 -1 }} {{ parseInt "1" 10 1 }})", d) == "true 1");
}

TEST_CASE("engine: control structures, variables, trim markers and comments") {
  const QueryData d = data_for("ip-10-95-12-8.example.", kIpRegex);
  CHECK(render("{{ if eq .Group.b \"95\" }}yes{{ else }}no{{ end }}", d) == "yes");
  CHECK(render("{{ if eq .Group.b \"1\" }}1{{ else if eq .Group.c \"12\" }}12{{ else }}none{{ end }}", d) == "12");
  CHECK(render("{{ with .Group.c }}c={{ . }}{{ end }}{{ with \"\" }}x{{ else }}empty{{ end }}", d) ==
        "c=12empty");
  CHECK(render("{{ range $i, $m := .Match }}{{ $i }}={{ $m }};{{ end }}", d) ==
        "0=ip-10-95-12-8.example.;1=;2=95;3=12;4=8;");
  CHECK(render("{{ $x := .Group.d }}{{ $x = printf \"%s0\" $x }}{{ $x }} {{ $.Zone }}", d) == "80 example.");
  CHECK(render("a  {{- .Group.b -}}  b {{/* a comment */}}c{{- /* trimmed */ -}} d", d) == "a95b cd");
  CHECK(render("{{ range .Group }}{{ . }},{{ end }}", d) == "ip-10-95-12-8.example.,,95,12,8,95,12,8,");
}

TEST_CASE("engine: execution errors carry Go's text") {
  const QueryData d = data_for("test.example.", "(test)");
  CHECK(exec_error("{{ index .Match 2 }}", d) ==
        "template: answer:1:3: executing \"answer\" at <index .Match 2>: error calling index: "
        "index out of range: 2");
  CHECK(exec_error(R"({{ parseInt "gg" 16 8 }})", d).ends_with(
        "error calling parseInt: strconv.ParseUint: parsing \"gg\": invalid syntax"));
  CHECK(exec_error(R"({{ parseInt "1ff" 16 8 }})", d).ends_with("value out of range"));
  CHECK(exec_error(R"({{ parseInt "18446744073709551616" 10 64 }})", d).ends_with("value out of range"));
  CHECK(exec_error(R"({{ parseInt "2" 10 1 }})", d).ends_with("value out of range"));
  CHECK(exec_error("{{ parseInt }}", d).ends_with("wrong number of args for parseInt: want 3 got 0"));
  CHECK(exec_error("{{ with .Name }}{{ .Nope }}{{ end }}", d).ends_with("can't evaluate field Nope in type string"));
  CHECK(exec_error("{{ lt true false }}", d).ends_with("invalid type for comparison"));
  CHECK(exec_error("{{ .Message }}", d).ends_with("printing *dns.Msg is not supported"));
  CHECK(exec_error(R"({{ printf "%01001d" 1 }})", d).ends_with("width or precision over 1000"));
  CHECK(exec_error(R"({{ range .Match }}{{ range $.Match }}{{ printf "%999s" "" }}{{ end }}{{ end }})",
                   data_for("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.",
                            "(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)(a)"))
            .ends_with("output longer than 65535 bytes"));
}

TEST_CASE("engine: unsupported or broken templates are compile errors") {
  CHECK(compile_error("{{") == "template: answer:1: unclosed action");
  CHECK(compile_error("{{ .Name }") == "template: answer:1: unexpected \"}\" in command");
  CHECK(compile_error("{{ notAFunction }}") == "template: answer:1: function \"notAFunction\" not defined");
  CHECK(compile_error("{{ .Grup.d }}") ==
        "template: answer:1: can't evaluate field Grup in type *template.templateData");
  CHECK(compile_error("{{ .Message.Nope }}") == "template: answer:1: can't evaluate field Nope in type *dns.Msg");
  CHECK(compile_error("{{ if .Name }}x") == "template: answer:1: unexpected EOF");
  CHECK(compile_error("x{{ end }}") == "template: answer:1: unexpected {{end}}");
  CHECK(compile_error("{{ else }}") == "template: answer:1: unexpected {{else}}");
  CHECK(compile_error("{{ define \"x\" }}{{ end }}") ==
        "template: answer:1: \"define\" is not supported in a template of this plugin");
  CHECK(compile_error("{{ $x }}") == "template: answer:1: undefined variable \"$x\"");
  CHECK(compile_error("{{ 1.5 }}") == "template: answer:1: bad number syntax: \"1.5\" (only integers are supported)");
  CHECK(compile_error("{{ .Name 1 }}") == "template: answer:1: can't give argument to non-function");
  CHECK(compile_error("{{ 1 | .Name }}") == "template: answer:1: can't give argument to non-function");
  CHECK(compile_error("{{ \"abc }}") == "template: answer:1: unterminated quoted string");
  CHECK(compile_error("{{ (len .Name }}") == "template: answer:1: unclosed left paren");
  CHECK(compile_error("{{/* x }}") == "template: answer:1: unclosed comment");
  CHECK(compile_error("a\n{{ nope }}") == "template: answer:2: function \"nope\" not defined");
  // Accepted as Go accepts them: arity is checked when the function runs.
  CHECK(compile_error("{{ parseInt }}").empty());
  CHECK(compile_error("{{ $x := 1 }}{{ with .Name }}{{ .Whatever }}{{ end }}").empty());
}

TEST_CASE("engine: the normalised text of the metrics' template label") {
  CHECK(Template("answer", "{{ .Name }} 60 IN A {{ index .Match 1 }}").normalized() ==
        "{{.Name}} 60 IN A {{index .Match 1}}");
  CHECK(Template("answer", R"({{ if eq .Type "A" }}x{{else}}{{ printf "%s" .Name | len }}{{ end }}{{/* c */}})").normalized() ==
        R"({{if eq .Type "A"}}x{{else}}{{printf "%s" .Name | len}}{{end}})");
}
