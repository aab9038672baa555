# Cross build for linux/arm/v7 (Debian armhf: ARMv7-A, VFPv3-D16, hard float, Thumb-2) on a Debian
# amd64 host (tools/build-static.sh uses it when TARGETARCH=armhf). Needs: dpkg
# --add-architecture armhf; crossbuild-essential-armhf; libuv1-dev:armhf libc-ares-dev:armhf
# libfmt-dev:armhf libre2-dev:armhf; qemu-user-static to run the tests. Debian's armhf compiler defaults
# (-march=armv7-a+fp -mfpu=vfpv3-d16 -mfloat-abi=hard) are kept: no NEON, which not every
# ARMv7 router has.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR armv7l)
set(CMAKE_C_COMPILER arm-linux-gnueabihf-gcc)
set(CMAKE_CXX_COMPILER arm-linux-gnueabihf-g++)
set(CMAKE_LIBRARY_ARCHITECTURE arm-linux-gnueabihf)
set(CMAKE_FIND_ROOT_PATH /usr/arm-linux-gnueabihf)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
# BOTH: the :armhf -dev files live outside the cross sysroot, under /usr/lib/arm-linux-gnueabihf.
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/arm-linux-gnueabihf/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
# ctest runs the test binaries through qemu (no binfmt needed); -cpu cortex-a7 is the core of
# the ARMv7 RouterOS devices (hAP ac², CRS3xx): an instruction it lacks fails the tests.
find_program(QEMU_ARM qemu-arm-static)
if(QEMU_ARM)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${QEMU_ARM};-cpu;cortex-a7)
endif()
