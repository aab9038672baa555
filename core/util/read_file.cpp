#include "core/util/read_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace coredns::util {

FileError read_fd(int fd, std::string& out) {
  char buffer[65536];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got == 0) return {};
    if (got < 0) {
      if (errno == EINTR) continue;
      return {"read", errno};
    }
    out.append(buffer, static_cast<size_t>(got));
  }
}

FileError read_file(const std::string& path, std::string& out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {"open", errno};
  const FileError result = read_fd(fd, out);
  ::close(fd);
  return result;
}

}  // namespace coredns::util
