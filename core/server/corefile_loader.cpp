#include "core/server/corefile_loader.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

#include "core/util/errno_text.h"
#include "core/util/error.h"
#include "core/util/read_file.h"
#include "generated/default_corefile.h"  // Corefile.default at the top of the tree

namespace coredns::server {
namespace {

// Go's os error text: "open NAME: no such file or directory".
std::string os_error(const char* op, const std::string& name, int err) {
  return fmt::format("{} {}: {}", op, name, go_errno_text(err));
}

}  // namespace

std::string default_corefile(const std::string& port) {
  std::string text = kDefaultCorefile;
  for (size_t at; (at = text.find("{PORT}")) != std::string::npos;) text.replace(at, 6, port);
  return text;
}

CorefileInput load_corefile(const std::string& conf_flag, const std::string& default_port) {
  CorefileInput in;
  if (conf_flag == "stdin" && !isatty(STDIN_FILENO)) {
    in.path = "/dev/stdin";
    if (const util::FileError failed = util::read_fd(STDIN_FILENO, in.text))
      throw ConfigError(os_error(failed.op, in.path, failed.err));
    return in;
  }
  if (!conf_flag.empty() && conf_flag != "stdin") {
    in.path = conf_flag;
    if (const util::FileError failed = util::read_file(conf_flag, in.text))
      throw ConfigError("loading Caddyfile via flag: " + os_error(failed.op, conf_flag, failed.err));
    return in;
  }
  in.path = "Corefile";
  if (const util::FileError failed = util::read_file("Corefile", in.text)) {
    if (failed.op != std::string_view("open") || failed.err != ENOENT)
      throw ConfigError(os_error(failed.op, "Corefile", failed.err));
    in.text = default_corefile(default_port);
  }
  return in;
}

}  // namespace coredns::server
