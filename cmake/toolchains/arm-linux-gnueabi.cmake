# Cross build for linux/arm/v5 (Debian armel: ARMv5TE, soft float, no NEON) on a Debian amd64
# host (tools/build-static.sh uses it when TARGETARCH=armel). Needs: dpkg --add-architecture
# armel; crossbuild-essential-armel; libuv1-dev:armel libc-ares-dev:armel libfmt-dev:armel libre2-dev:armel liburing-dev:armel libmbedtls-dev:armel;
# qemu-user-static to run the tests.
#
# The RouterOS devices that take only arm32v5 images (EN7562CT: hEX refresh, hAP ax S) die with
# SIGILL on anything newer than ARMv5TE, so the target is pinned here rather than left to the
# compiler's default: -march=armv5te -marm -mfloat-abi=soft. ARMv5 has no 64-bit atomic
# instructions; GCC calls libatomic for them, so every program links it. libatomic picks its
# implementation at start-up (ifunc): ARMv7 exclusives where the CPU has them, else the kernel's
# cmpxchg helper, so a binary's ARM attributes say v7 although an ARMv5TE core runs it; the qemu
# run on an arm926 core below is the check that counts.
# ctest runs the test binaries through qemu (no binfmt needed) on an ARMv5TE core (-cpu
# arm926): an ARMv6+ instruction in the binary is an illegal instruction there, as on the router.
set(CROSS_TRIPLET arm-linux-gnueabi)
set(CROSS_PROCESSOR armv5tel)
set(CROSS_QEMU qemu-arm-static)
set(CROSS_QEMU_ARGS -cpu;arm926)
set(CMAKE_C_FLAGS_INIT "-march=armv5te -marm -mfloat-abi=soft")
set(CMAKE_CXX_FLAGS_INIT "-march=armv5te -marm -mfloat-abi=soft")
set(CMAKE_CXX_STANDARD_LIBRARIES "-latomic")
set(CMAKE_C_STANDARD_LIBRARIES "-latomic")
include(${CMAKE_CURRENT_LIST_DIR}/debian-cross.cmake)
