// Parsing of the `template` directive: accepted forms and CoreDNS's error texts
// (plugin/template/setup_test.go).
#include <catch2/catch.hpp>

#include "plugins/template/template.h"
#include "tests/support/plugin_setup.h"

using namespace coredns;

namespace coredns::plugins {
const PluginDef& plugin_template();
}

namespace {

std::string error_of(const std::string& body) {
  return testing::run_setup(plugins::plugin_template(), "template", body).error;
}

const std::string at(int line) {
  return "plugin/template: Corefile:" + std::to_string(line) + " - Error during parsing: ";
}

}  // namespace

TEST_CASE("template setup: accepted forms") {
  CHECK(error_of("template ANY ANY").empty());
  CHECK(error_of("template IN A example.com {\n match ^a[.]example[.]com[.]$ (b)\n match c\n"
                 " answer \"{{ .Name }} 60 IN A 10.0.0.1\" \"{{ .Name }} 60 IN A 10.0.0.2\"\n"
                 " additional \"x. A 1.2.3.4\"\n authority \"{{ .Zone }} 60 IN SOA ns. h. 1 2 3 4 5\"\n"
                 " rcode NXDOMAIN\n ederror 15 \"Blocked\"\n fallthrough a.example.com\n upstream\n}")
            .empty());
  CHECK(error_of("template ANY ANY (?P<x>").empty());  // taken as a zone, as CoreDNS does
  CHECK(error_of("template CH TXT {\n answer \"{{ parseInt }}\"\n}").empty());
  auto run = testing::run_setup(plugins::plugin_template(), "template",
                                "template IN A a.\ntemplate IN AAAA b. {\n match x y\n}", {"example."});
  REQUIRE(run.error.empty());
  REQUIRE(run.handlers.size() == 1);  // every template of a block in one handler
}

TEST_CASE("template setup: errors name the file and line") {
  CHECK(error_of("template") == at(1) + "Wrong argument count or unexpected line ending after 'template'");
  CHECK(error_of("template ANY") == at(1) + "Wrong argument count or unexpected line ending after 'ANY'");
  CHECK(error_of("template X ANY") == at(1) + "invalid query class X");
  CHECK(error_of("template ANY X") == at(1) + "invalid RR class X");
  CHECK(error_of("template in a") == at(1) + "invalid query class in");
  CHECK(error_of("template IN TYPE1") == at(1) + "invalid RR class TYPE1");
  CHECK(error_of("template ANY ANY {\n notavailable\n}") ==
        at(2) + "Wrong argument count or unexpected line ending after 'notavailable'");
  for (const char* kw : {"match", "answer", "additional", "authority", "rcode"})
    CHECK(error_of(std::string("template ANY ANY {\n ") + kw + "\n}") ==
          at(2) + "Wrong argument count or unexpected line ending after '" + kw + "'");
  CHECK(error_of("template ANY ANY {\n match \"" + std::string(10001, 'a') + "\"\n}") ==
        at(2) + "regex pattern too long: 10001 > 10000");
  CHECK(error_of("template ANY ANY {\n match \"(abc\"\n}") ==
        at(2) + "could not parse regex: (abc, error parsing regexp: missing closing ): `(abc`");
  CHECK(error_of("template ANY ANY {\n\n answer \"{{\"\n}") ==
        at(3) + "could not compile template: {{, template: answer:1: unclosed action");
  CHECK(error_of("template ANY ANY {\n answer \"{{ notAFunction }}\"\n}") ==
        at(2) + "could not compile template: {{ notAFunction }}, template: answer:1: function "
                "\"notAFunction\" not defined");
  CHECK(error_of("template ANY ANY {\n answer \"{{ .Name }} A {{ .Grup.d }}.\"\n}") ==
        at(2) + "could not compile template: {{ .Name }} A {{ .Grup.d }}., template: answer:1: "
                "can't evaluate field Grup in type *template.templateData");
  CHECK(error_of("template ANY ANY {\n rcode UNDEFINED\n}") == at(2) + "unknown rcode UNDEFINED");
  CHECK(error_of("template ANY ANY {\n rcode SUCCESS\n}") == at(2) + "unknown rcode SUCCESS");
  CHECK(error_of("template ANY ANY {\n ederror\n}") ==
        at(2) + "Wrong argument count or unexpected line ending after 'ederror'");
  CHECK(error_of("template ANY ANY {\n ederror invalid \"Blocked x\"\n}") ==
        at(2) + "error parsing extended DNS error code Blocked x, strconv.ParseUint: parsing "
                "\"invalid\": invalid syntax");
  CHECK(error_of("template ANY ANY {\n var a 1\n}") ==
        at(2) + "'var' is not supported (CoreDNS has it only after v1.14.7)");
}
