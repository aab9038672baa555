#include "core/server/corefile_loader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

#include "core/util/errno_text.h"
#include "core/util/error.h"
#include "generated/default_corefile.h"  // Corefile.default at the top of the tree

namespace coredns::server {
namespace {

// Go's os error text: "open NAME: no such file or directory".
std::string os_error(const char* op, const std::string& name, int err) {
  return fmt::format("{} {}: {}", op, name, go_errno_text(err));
}

bool read_fd(int fd, std::string& out, int& err) {
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      return false;
    }
    out.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace

std::string default_corefile(const std::string& port) {
  std::string text = kDefaultCorefile;
  for (size_t at; (at = text.find("{PORT}")) != std::string::npos;) text.replace(at, 6, port);
  return text;
}

CorefileInput load_corefile(const std::string& conf_flag, const std::string& default_port) {
  CorefileInput in;
  int err = 0;
  if (conf_flag == "stdin" && !isatty(STDIN_FILENO)) {
    in.path = "/dev/stdin";
    if (!read_fd(STDIN_FILENO, in.text, err))
      throw ConfigError(os_error("read", in.path, err));
    return in;
  }
  if (!conf_flag.empty() && conf_flag != "stdin") {
    in.path = conf_flag;
    int fd = ::open(conf_flag.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      throw ConfigError("loading Caddyfile via flag: " + os_error("open", conf_flag, errno));
    bool ok = read_fd(fd, in.text, err);
    ::close(fd);
    if (!ok) throw ConfigError("loading Caddyfile via flag: " + os_error("read", conf_flag, err));
    return in;
  }
  in.path = "Corefile";
  int fd = ::open("Corefile", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT) throw ConfigError(os_error("open", "Corefile", errno));
    in.text = default_corefile(default_port);
    return in;
  }
  bool ok = read_fd(fd, in.text, err);
  ::close(fd);
  if (!ok) throw ConfigError(os_error("read", "Corefile", err));
  return in;
}

}  // namespace coredns::server
