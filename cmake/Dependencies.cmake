# Debian's packages: libuv1-dev, libc-ares-dev, libfmt-dev, nlohmann-json3-dev, libhttp-parser-dev,
# libre2-dev, libmbedtls-dev, catch2.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(fmt REQUIRED)                 # header-only target: Debian ships no libfmt.a
find_package(nlohmann_json 3 REQUIRED)

if(COREDNS_STATIC)
  pkg_check_modules(UV REQUIRED IMPORTED_TARGET libuv-static)
  find_library(CARES_LIB NAMES libcares.a REQUIRED)
  add_library(coredns_cares INTERFACE)
  target_link_libraries(coredns_cares INTERFACE ${CARES_LIB})
else()
  pkg_check_modules(UV REQUIRED IMPORTED_TARGET libuv)
  pkg_check_modules(CARES REQUIRED IMPORTED_TARGET libcares)
  add_library(coredns_cares INTERFACE)
  target_link_libraries(coredns_cares INTERFACE PkgConfig::CARES)
endif()

# libhttp-parser-dev: parses requests to the HTTP endpoints (docs/http-and-metrics.md). The static
# build takes the .a; Debian's .a is not position-independent, so a PIE build takes the .so.
find_path(HTTP_PARSER_INCLUDE_DIR http_parser.h REQUIRED)
if(COREDNS_STATIC)
  find_library(HTTP_PARSER_LIB NAMES libhttp_parser.a REQUIRED)
else()
  find_library(HTTP_PARSER_LIB NAMES http_parser REQUIRED)
endif()
add_library(coredns_http_parser INTERFACE)
target_include_directories(coredns_http_parser INTERFACE ${HTTP_PARSER_INCLUDE_DIR})
target_link_libraries(coredns_http_parser INTERFACE ${HTTP_PARSER_LIB})

# libre2-dev: Go's regular expressions (core/util/regex.h). The static build takes the .a.
add_library(coredns_re2 INTERFACE)
if(COREDNS_STATIC)
  find_library(RE2_LIB NAMES libre2.a REQUIRED)
  target_link_libraries(coredns_re2 INTERFACE ${RE2_LIB} Threads::Threads)
else()
  pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
  target_link_libraries(coredns_re2 INTERFACE PkgConfig::RE2)
endif()

# libmbedtls-dev: DNS over TLS (core/tls, docs/tls.md). The static build takes the .a files.
add_library(coredns_mbedtls INTERFACE)
if(COREDNS_STATIC)
  find_library(MBEDTLS_LIB NAMES libmbedtls.a REQUIRED)
  find_library(MBEDX509_LIB NAMES libmbedx509.a REQUIRED)
  find_library(MBEDCRYPTO_LIB NAMES libmbedcrypto.a REQUIRED)
else()
  find_library(MBEDTLS_LIB NAMES mbedtls REQUIRED)
  find_library(MBEDX509_LIB NAMES mbedx509 REQUIRED)
  find_library(MBEDCRYPTO_LIB NAMES mbedcrypto REQUIRED)
endif()
find_path(MBEDTLS_INCLUDE_DIR mbedtls/ssl.h REQUIRED)
target_include_directories(coredns_mbedtls INTERFACE ${MBEDTLS_INCLUDE_DIR})
# The order matters for static archives: tls needs x509, x509 needs crypto.
target_link_libraries(coredns_mbedtls INTERFACE ${MBEDTLS_LIB} ${MBEDX509_LIB} ${MBEDCRYPTO_LIB}
  Threads::Threads)

if(COREDNS_TESTS)
  find_package(Catch2 2 REQUIRED)
endif()
