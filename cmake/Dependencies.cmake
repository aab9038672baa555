# Debian's packages: libuv1-dev, libc-ares-dev, libfmt-dev, nlohmann-json3-dev, catch2.
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

if(COREDNS_TESTS)
  find_package(Catch2 2 REQUIRED)
endif()
