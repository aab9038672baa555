# Cross build for linux/arm64 on a Debian amd64 host (tools/build-static.sh uses it when
# TARGETARCH=arm64). Needs: dpkg --add-architecture arm64; crossbuild-essential-arm64;
# libuv1-dev:arm64 libc-ares-dev:arm64 libfmt-dev:arm64 libre2-dev:arm64 (nlohmann-json3-dev and catch2 are
# architecture-independent); qemu-user-static to run the tests.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Debian multiarch: search /usr/lib/aarch64-linux-gnu for the :arm64 -dev packages.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
# BOTH: the :arm64 -dev files live outside the cross sysroot, under /usr/lib/aarch64-linux-gnu.
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
# No aarch64-linux-gnu-pkg-config wrapper exists: point pkg-config at the arm64 .pc files only.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
# ctest (and catch_discover_tests) run the arm64 test binaries through qemu; no binfmt needed.
find_program(QEMU_AARCH64 qemu-aarch64-static)
if(QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${QEMU_AARCH64})
endif()
