// The container image's single binary: coredns, or the nat64 translator when it is called by
// that name (/nat64 is a symbolic link to /coredns in the image). Both programs link the same
// C library, C++ runtime, libuv and fmt; as one file they are stored once, which is most of
// the translator's size (docs/container.md, "One binary").
#include <string_view>

#include "core/main/program.h"
#include "nat64/program.h"

int main(int argc, char** argv) {
  std::string_view name = argc > 0 && argv[0] ? argv[0] : "";
  if (const size_t slash = name.rfind('/'); slash != std::string_view::npos) name.remove_prefix(slash + 1);
  if (name == "nat64") return nat64::run_nat64(argc, argv);
  return coredns::run_coredns(argc, argv);
}
