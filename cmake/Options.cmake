# Compiler options shared by every target.
add_compile_options(-Wall -Wextra -Werror -fno-strict-aliasing)
# fmt's locale support pulls ~600 KB of iostream machinery into a static binary.
add_compile_definitions(FMT_STATIC_THOUSANDS_SEPARATOR=1)

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
endif()
