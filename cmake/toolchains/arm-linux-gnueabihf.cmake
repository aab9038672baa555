# Cross build for linux/arm/v7 (Debian armhf: ARMv7-A, VFPv3-D16, hard float, Thumb-2) on a Debian
# amd64 host (tools/build-static.sh uses it when TARGETARCH=armhf). Needs: dpkg
# --add-architecture armhf; crossbuild-essential-armhf; libuv1-dev:armhf libc-ares-dev:armhf
# libfmt-dev:armhf libre2-dev:armhf liburing-dev:armhf libmbedtls-dev:armhf; qemu-user-static to run the tests. Debian's armhf compiler defaults
# (-march=armv7-a+fp -mfpu=vfpv3-d16 -mfloat-abi=hard) are kept: no NEON, which not every
# ARMv7 router has.
# ctest runs the test binaries through qemu (no binfmt needed); -cpu cortex-a7 is the core of
# the ARMv7 RouterOS devices (hAP ac², CRS3xx): an instruction it lacks fails the tests.
set(CROSS_TRIPLET arm-linux-gnueabihf)
set(CROSS_PROCESSOR armv7l)
set(CROSS_QEMU qemu-arm-static)
set(CROSS_QEMU_ARGS -cpu;cortex-a7)
include(${CMAKE_CURRENT_LIST_DIR}/debian-cross.cmake)
