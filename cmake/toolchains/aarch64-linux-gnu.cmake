# Cross build for linux/arm64 on a Debian amd64 host (tools/build-static.sh uses it when
# TARGETARCH=arm64). Needs: dpkg --add-architecture arm64; crossbuild-essential-arm64;
# libuv1-dev:arm64 libc-ares-dev:arm64 libfmt-dev:arm64 libre2-dev:arm64 liburing-dev:arm64 libmbedtls-dev:arm64 (nlohmann-json3-dev and catch2 are
# architecture-independent); qemu-user-static to run the tests.
set(CROSS_TRIPLET aarch64-linux-gnu)
set(CROSS_PROCESSOR aarch64)
set(CROSS_QEMU qemu-aarch64-static)
include(${CMAKE_CURRENT_LIST_DIR}/debian-cross.cmake)
