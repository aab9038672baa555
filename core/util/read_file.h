#pragma once
// Reading a whole file into memory, the one way the server does it (Corefiles, imports, config
// files of plugins, /proc). Plain read(2) calls: no stream or locale machinery, which a static
// binary would otherwise carry (docs/container.md, "Size budget"), and safe in a forked child.
#include <string>

namespace coredns::util {

// What failed: the system call ("open" or "read") and its errno. False when nothing failed.
struct FileError {
  const char* op = nullptr;
  int err = 0;
  explicit operator bool() const { return op != nullptr; }
};

// Appends everything `fd` has left to `out`, retrying on EINTR.
FileError read_fd(int fd, std::string& out);

// Appends the content of the file at `path` to `out`. A directory fails as {"read", EISDIR}.
FileError read_file(const std::string& path, std::string& out);

}  // namespace coredns::util
