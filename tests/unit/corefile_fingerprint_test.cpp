// The reload plugin's configuration fingerprint (CoreDNS's plugin/reload/reload.go) and what
// changes it (Y8, Y9).
#include <catch2/catch.hpp>

#include "tests/unit/corefile_test_support.h"

using namespace corefile_test;

namespace {

// The reload check parses without directive validation.
std::string json_of(std::string_view text) { return fingerprint_json(parse(text, ParseOptions{})); }
std::string sha_of(std::string_view text) { return fingerprint_sha512(parse(text, ParseOptions{})); }

}  // namespace

TEST_CASE("fingerprint: the spec's example", "[corefile][fingerprint]") {
  const std::string corefile = ". {\n    whoami\n}\n";
  CHECK(json_of(corefile) ==
        R"([{"Keys":["."],"Tokens":{"whoami":[{"File":"","Line":2,"Text":"whoami"}]}}])");
  CHECK(sha_of(corefile) ==
        "bab5ffc31ae95e2629d026a94194d93d3847bac16a69fbecc62594a0effaf1dd"
        "126656bd54092f2eae013b71fa4df7e3966525a754532358ea6fb6b8da30bc90");
}

TEST_CASE("fingerprint: JSON shape", "[corefile][fingerprint]") {
  CHECK(json_of("") == "null");
  CHECK(json_of("# nothing\n") == "null");
  CHECK(json_of("a b {\n}") == R"([{"Keys":["a","b"],"Tokens":{}}])");
  SECTION("directives sorted bytewise, occurrences in file order") {
    CHECK(json_of(". {\n whoami\n log x\n Zed\n log\n}") ==
          R"([{"Keys":["."],"Tokens":{"Zed":[{"File":"","Line":4,"Text":"Zed"}],)"
          R"("log":[{"File":"","Line":3,"Text":"log"},{"File":"","Line":3,"Text":"x"},)"
          R"({"File":"","Line":5,"Text":"log"}],)"
          R"("whoami":[{"File":"","Line":2,"Text":"whoami"}]}}])");
  }
  SECTION("Go's string escaping") {
    CHECK(json_of("\"<a&b>\" {\n log \"q\\\"s\\\\t\ttab\x01\" \"\u2028\u2029\" h\xC3\xA9\n}") ==
          "[{\"Keys\":[\"\\u003ca\\u0026b\\u003e\"],\"Tokens\":{\"log\":["
          "{\"File\":\"\",\"Line\":2,\"Text\":\"log\"},"
          "{\"File\":\"\",\"Line\":2,\"Text\":\"q\\\"s\\\\\\\\t\\ttab\\u0001\"},"
          "{\"File\":\"\",\"Line\":2,\"Text\":\"\\u2028\\u2029\"},"
          "{\"File\":\"\",\"Line\":2,\"Text\":\"h\xC3\xA9\"}]}}]");
  }
  SECTION("imported tokens carry their file") {
    const TempDir dir;
    dir.write("x.conf", "whoami\n");
    const std::string json = json_of(". {\n import " + dir.abs("x.conf") + "\n}");
    CHECK(json == R"([{"Keys":["."],"Tokens":{"whoami":[{"File":")" + dir.abs("x.conf") +
                      R"(","Line":1,"Text":"whoami"}]}}])");
  }
}

TEST_CASE("fingerprint: what triggers a reload (Y8, Y9)", "[corefile][fingerprint]") {
  const std::string base = ".:1053 {\n whoami # answer\n reload 2s 0s\n}\n";
  CHECK(sha_of(base) == sha_of(".:1053 {\n whoami # changed comment\n reload   2s 0s\n}\n"));
  CHECK(sha_of(base) != sha_of("\n" + base));
  CHECK(sha_of(base) != sha_of(".:1053 {\n log\n whoami\n reload 2s 0s\n}\n"));
  SECTION("environment variables are part of it") {
    const ScopedEnv zone("FP_ZONE", "a.org");
    const std::string with_env = "{$FP_ZONE} {\n whoami\n}";
    const std::string before = sha_of(with_env);
    const ScopedEnv changed("FP_ZONE", "b.org");
    CHECK(sha_of(with_env) != before);
  }
}
