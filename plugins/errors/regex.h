#pragma once
// <regex> for the consolidate patterns. GCC 12 reports false "maybe-uninitialized" warnings
// inside libstdc++'s regex compiler when optimising with the sanitizers on; they are silenced
// for that header only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop
