#pragma once
// The file side of `import PATTERN` (Caddy's caddyfile/parse.go, doImport): which files a pattern
// names and their tokens. Failures carry CoreDNS's bare message; the parser prefixes the FILE:LINE
// of the import line.
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/corefile/token.h"

namespace coredns::corefile {

struct ImportError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The files to import, in import order. A relative pattern is taken relative to the directory
// of `importing_file` (the file holding the import line, as shown in messages). A glob that
// matches nothing is not an error: `warn` receives "No files matching import glob pattern:
// PATTERN" (a WARNING-level line).
std::vector<std::string> import_files(std::string_view pattern, const std::string& importing_file,
                                      const std::function<void(const std::string&)>& warn);

// The tokens of one imported file, each tagged with the file's absolute path.
Tokens import_tokens(const std::string& path);

}  // namespace coredns::corefile
