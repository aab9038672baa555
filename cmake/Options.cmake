# Compiler options shared by every target.
add_compile_options(-Wall -Wextra -Werror -fno-strict-aliasing)
# fmt's locale support pulls ~600 KB of iostream machinery into a static binary.
add_compile_definitions(FMT_STATIC_THOUSANDS_SEPARATOR=1)
# 64-bit file offsets and inode numbers on 32-bit targets. Without them readdir() fails with
# EOVERFLOW when a 64-bit kernel hands out 64-bit directory offsets, as under qemu-user on an
# amd64 host: Corefile `import` globs matched nothing there. Set here, not in the toolchain
# files, so that a build directory configured before it gets it too.
if(CMAKE_SIZEOF_VOID_P EQUAL 4)
  add_compile_definitions(_FILE_OFFSET_BITS=64)
endif()

if(COREDNS_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

if(COREDNS_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

if(COREDNS_STATIC)
  add_compile_options(-ffunction-sections -fdata-sections)
  add_link_options(-static -static-libstdc++ -static-libgcc -Wl,--gc-sections)
  # Link-time optimisation of the image's binary (coredns_static_image_link below): about 75 KB
  # less of the compressed image (docs/container.md, "Size budget"). The objects carry GIMPLE and
  # machine code both ("fat"), so every other link (tests, the standalone programs) stays a plain
  # one and only the image's binary pays for an LTO link.
  add_compile_options(-flto=auto -ffat-lto-objects)
  # Per target: gcc keeps -fno-lto over a later -flto, so the image's binary must never get it.
  add_link_options("$<IF:$<BOOL:$<TARGET_PROPERTY:COREDNS_LTO_LINK>>,-flto=auto,-fno-lto>")
endif()

# TARGET is the binary the container image ships: in a static build, link it with LTO.
function(coredns_static_image_link target)
  set_target_properties(${target} PROPERTIES COREDNS_LTO_LINK ON)
endfunction()
