#include "core/util/go_path.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

namespace coredns::gopath {
namespace {

std::string working_directory() {
  struct stat dot{}, pwd_stat{};
  const char* pwd = std::getenv("PWD");
  if (pwd != nullptr && pwd[0] == '/' && ::stat(".", &dot) == 0 && ::stat(pwd, &pwd_stat) == 0 &&
      dot.st_dev == pwd_stat.st_dev && dot.st_ino == pwd_stat.st_ino) {
    return pwd;
  }
  std::vector<char> buffer(4096);
  while (::getcwd(buffer.data(), buffer.size()) == nullptr) {
    if (buffer.size() > (1u << 20)) return ".";
    buffer.resize(buffer.size() * 2);
  }
  return buffer.data();
}

}  // namespace

std::string clean(std::string_view path) {
  if (path.empty()) return ".";
  const bool rooted = path[0] == '/';
  std::vector<std::string_view> parts;
  std::size_t leading_dotdots = 0;  // ".." elements that cannot be cancelled (relative paths)
  std::size_t pos = 0;
  while (pos < path.size()) {
    std::size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view part = path.substr(pos, end - pos);
    pos = end + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts.size() > leading_dotdots) {
        parts.pop_back();
      } else if (!rooted) {
        parts.push_back(part);
        ++leading_dotdots;
      }
      continue;
    }
    parts.push_back(part);
  }
  std::string out = rooted ? "/" : "";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += '/';
    out += parts[i];
  }
  return out.empty() ? "." : out;
}

std::string join(std::string_view a, std::string_view b) {
  if (a.empty() && b.empty()) return "";
  if (a.empty()) return clean(b);
  if (b.empty()) return clean(a);
  std::string joined(a);
  joined += '/';
  joined += b;
  return clean(joined);
}

std::string dir(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  return clean(slash == std::string_view::npos ? std::string_view{} : path.substr(0, slash + 1));
}

bool is_abs(std::string_view path) { return !path.empty() && path[0] == '/'; }

std::string abs(std::string_view path) {
  if (is_abs(path)) return clean(path);
  return join(working_directory(), path);
}

}  // namespace coredns::gopath
