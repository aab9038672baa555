# UNTESTED: for arm64 build hosts (e.g. Apple Silicon); the project builds on amd64.
# Cross build for linux/amd64 on a Debian arm64 host (tools/build-static.sh uses it when
# TARGETARCH=amd64). Needs: dpkg --add-architecture amd64; crossbuild-essential-amd64;
# libuv1-dev:amd64 libc-ares-dev:amd64 libfmt-dev:amd64 libre2-dev:amd64 (nlohmann-json3-dev and catch2 are
# architecture-independent); qemu-user-static to run the tests.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER x86_64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER x86_64-linux-gnu-g++)
# Debian multiarch: search /usr/lib/x86_64-linux-gnu for the :amd64 -dev packages.
set(CMAKE_LIBRARY_ARCHITECTURE x86_64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
# BOTH: the :amd64 -dev files live outside the cross sysroot, under /usr/lib/x86_64-linux-gnu.
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
# No x86_64-linux-gnu-pkg-config wrapper exists: point pkg-config at the amd64 .pc files only.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/x86_64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
# ctest (and catch_discover_tests) run the amd64 test binaries through qemu; no binfmt needed.
find_program(QEMU_X86_64 qemu-x86_64-static)
if(QEMU_X86_64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${QEMU_X86_64})
endif()
