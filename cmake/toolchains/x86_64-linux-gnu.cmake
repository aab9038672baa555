# UNTESTED: for arm64 build hosts (e.g. Apple Silicon); the project builds on amd64.
# Cross build for linux/amd64 on a Debian arm64 host (tools/build-static.sh uses it when
# TARGETARCH=amd64). Needs: dpkg --add-architecture amd64; crossbuild-essential-amd64;
# libuv1-dev:amd64 libc-ares-dev:amd64 libfmt-dev:amd64 libre2-dev:amd64 liburing-dev:amd64 libmbedtls-dev:amd64 (nlohmann-json3-dev and catch2 are
# architecture-independent); qemu-user-static to run the tests.
set(CROSS_TRIPLET x86_64-linux-gnu)
set(CROSS_PROCESSOR x86_64)
set(CROSS_QEMU qemu-x86_64-static)
include(${CMAKE_CURRENT_LIST_DIR}/debian-cross.cmake)
