// Go's strconv.Atoi, as directive parsers report it.
#include <catch2/catch.hpp>

#include "core/util/error.h"
#include "core/util/go_strconv.h"

using coredns::go_atoi;

namespace {

std::string atoi_error(std::string_view text) {
  try {
    go_atoi(text);
  } catch (const coredns::ConfigError& e) {
    return e.what();
  }
  return "<no error>";
}

}  // namespace

TEST_CASE("go_atoi: values", "[strconv]") {
  CHECK(go_atoi("0") == 0);
  CHECK(go_atoi("42") == 42);
  CHECK(go_atoi("+7") == 7);
  CHECK(go_atoi("-1") == -1);
  CHECK(go_atoi("007") == 7);
  CHECK(go_atoi("9223372036854775807") == INT64_MAX);
  CHECK(go_atoi("-9223372036854775808") == INT64_MIN);
}

TEST_CASE("go_atoi: Go's error texts", "[strconv]") {
  CHECK(atoi_error("") == "strconv.Atoi: parsing \"\": invalid syntax");
  CHECK(atoi_error("aaa") == "strconv.Atoi: parsing \"aaa\": invalid syntax");
  CHECK(atoi_error("-") == "strconv.Atoi: parsing \"-\": invalid syntax");
  CHECK(atoi_error("1.5") == "strconv.Atoi: parsing \"1.5\": invalid syntax");
  CHECK(atoi_error(" 1") == "strconv.Atoi: parsing \" 1\": invalid syntax");
  CHECK(atoi_error("9223372036854775808") ==
        "strconv.Atoi: parsing \"9223372036854775808\": value out of range");
  CHECK(atoi_error("-9223372036854775809") ==
        "strconv.Atoi: parsing \"-9223372036854775809\": value out of range");
  // An unsigned overflow is reported before a later bad character; within 64 bits it is not.
  CHECK(atoi_error("99999999999999999999x") ==
        "strconv.Atoi: parsing \"99999999999999999999x\": value out of range");
  CHECK(atoi_error("9223372036854775808x") ==
        "strconv.Atoi: parsing \"9223372036854775808x\": invalid syntax");
}
