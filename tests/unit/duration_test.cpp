// Go's time.ParseDuration and Duration.String().
#include <catch2/catch.hpp>

#include <limits>

#include "core/util/duration.h"
#include "core/util/error.h"

using coredns::Duration;
using coredns::format_duration;
using coredns::parse_duration;
using namespace std::chrono_literals;

namespace {

std::string duration_error(std::string_view text) {
  try {
    parse_duration(text);
  } catch (const coredns::ConfigError& e) {
    return e.what();
  }
  return "<no error>";
}

}  // namespace

TEST_CASE("duration: parsing", "[duration]") {
  CHECK(parse_duration("300ms") == 300ms);
  CHECK(parse_duration("1.5h") == 90min);
  CHECK(parse_duration("2h45m") == 2h + 45min);
  CHECK(parse_duration("0") == 0s);
  CHECK(parse_duration("-0") == 0s);
  CHECK(parse_duration("0s") == 0s);
  CHECK(parse_duration("30s") == 30s);
  CHECK(parse_duration("+5s") == 5s);
  CHECK(parse_duration("-1.5h") == -90min);
  CHECK(parse_duration("1ns") == 1ns);
  CHECK(parse_duration("1us") == 1us);
  CHECK(parse_duration("1\u00b5s") == 1us);  // micro sign
  CHECK(parse_duration("1\u03bcs") == 1us);  // Greek mu
  CHECK(parse_duration(".5s") == 500ms);
  CHECK(parse_duration("1.s") == 1s);
  CHECK(parse_duration("1h1m1s1ms1us1ns") == 1h + 1min + 1s + 1ms + 1us + 1ns);
  CHECK(parse_duration("1.000000001s") == 1s + 1ns);
  CHECK(parse_duration("9223372036854775807ns") == Duration::max());
  CHECK(parse_duration("-9223372036854775808ns") == Duration::min());
  CHECK(parse_duration("2562047h") == 2562047h);
}

TEST_CASE("duration: errors carry Go's messages", "[duration]") {
  CHECK(duration_error("abc") == "time: invalid duration \"abc\"");
  CHECK(duration_error("x") == "time: invalid duration \"x\"");
  CHECK(duration_error("") == "time: invalid duration \"\"");
  CHECK(duration_error("-") == "time: invalid duration \"-\"");
  CHECK(duration_error(".s") == "time: invalid duration \".s\"");
  CHECK(duration_error("1s.") == "time: invalid duration \"1s.\"");
  CHECK(duration_error("1s-") == "time: unknown unit \"s-\" in duration \"1s-\"");
  CHECK(duration_error("5") == "time: missing unit in duration \"5\"");
  CHECK(duration_error("1h30") == "time: missing unit in duration \"1h30\"");
  CHECK(duration_error("1d") == "time: unknown unit \"d\" in duration \"1d\"");
  CHECK(duration_error("1 s") == "time: unknown unit \" s\" in duration \"1 s\"");
  CHECK(duration_error("1\"") == "time: unknown unit \"\\\"\" in duration \"1\\\"\"");
  CHECK(duration_error("1\xC3\xA9") ==
        "time: unknown unit \"\\xc3\\xa9\" in duration \"1\\xc3\\xa9\"");
  CHECK(duration_error("9223372036854775808ns") ==
        "time: invalid duration \"9223372036854775808ns\"");
  CHECK(duration_error("2562048h") == "time: invalid duration \"2562048h\"");
  CHECK(duration_error("99999999999999999999s") ==
        "time: invalid duration \"99999999999999999999s\"");
}

TEST_CASE("duration: printing", "[duration]") {
  CHECK(format_duration(0s) == "0s");
  CHECK(format_duration(1ns) == "1ns");
  CHECK(format_duration(999ns) == "999ns");
  CHECK(format_duration(1us) == "1\u00b5s");
  CHECK(format_duration(1500ns) == "1.5\u00b5s");
  CHECK(format_duration(500ms) == "500ms");
  CHECK(format_duration(1ms + 1ns) == "1.000001ms");
  CHECK(format_duration(1s) == "1s");
  CHECK(format_duration(1500ms) == "1.5s");
  CHECK(format_duration(30s) == "30s");
  CHECK(format_duration(5min) == "5m0s");
  CHECK(format_duration(90500ms) == "1m30.5s");
  CHECK(format_duration(1h) == "1h0m0s");
  CHECK(format_duration(2h + 30min) == "2h30m0s");
  CHECK(format_duration(-1500ms) == "-1.5s");
  CHECK(format_duration(-1ns) == "-1ns");
  CHECK(format_duration(Duration::max()) == "2562047h47m16.854775807s");
  CHECK(format_duration(Duration::min()) == "-2562047h47m16.854775808s");
}

TEST_CASE("duration: printing then parsing gives the value back", "[duration]") {
  for (const Duration d : {Duration(1), Duration(1'500), Duration(2'000'000), Duration(1'234'567'890),
                           Duration(3'600'000'000'001), Duration::max(), Duration::min()}) {
    CHECK(parse_duration(format_duration(d)) == d);
  }
}
