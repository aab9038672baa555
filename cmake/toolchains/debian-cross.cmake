# What every Debian multiarch cross toolchain file here shares. The including file sets
# CROSS_TRIPLET (e.g. arm-linux-gnueabi), CROSS_PROCESSOR (CMAKE_SYSTEM_PROCESSOR), CROSS_QEMU
# (the qemu-user-static program that runs the target's binaries) and, if it needs them,
# CROSS_QEMU_ARGS (e.g. -cpu;arm926).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ${CROSS_PROCESSOR})
set(CMAKE_C_COMPILER ${CROSS_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${CROSS_TRIPLET}-g++)
# Debian multiarch: search /usr/lib/TRIPLET for the :ARCH -dev packages.
set(CMAKE_LIBRARY_ARCHITECTURE ${CROSS_TRIPLET})
set(CMAKE_FIND_ROOT_PATH /usr/${CROSS_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
# BOTH: the :ARCH -dev files live outside the cross sysroot, under /usr/lib/TRIPLET.
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
# No TRIPLET-pkg-config wrapper exists: point pkg-config at the target's .pc files only.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/${CROSS_TRIPLET}/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
# ctest (and catch_discover_tests) run the test binaries through qemu; no binfmt needed.
find_program(CROSS_QEMU_PROGRAM ${CROSS_QEMU})
if(CROSS_QEMU_PROGRAM)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${CROSS_QEMU_PROGRAM};${CROSS_QEMU_ARGS})
endif()
