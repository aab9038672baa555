// Catch2 main of its own, so the translator's tests do not depend on the DNS core.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
