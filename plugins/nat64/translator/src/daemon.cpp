#include "nat64/daemon.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

namespace nat64 {

namespace {
bool numeric(const std::string& s, unsigned long& v) {
  if (s.empty()) return false;
  char* end = nullptr;
  v = std::strtoul(s.c_str(), &end, 10);
  return *end == 0;
}
}  // namespace

bool resolve_identity(const std::string& user, const std::string& group, Identity& id, std::string& err) {
  unsigned long n;
  if (!user.empty()) {
    id.user = user;
    if (numeric(user, n)) {
      id.uid = static_cast<uid_t>(n);
      id.gid = static_cast<gid_t>(n);
    } else {
      passwd* pw = ::getpwnam(user.c_str());
      if (!pw) return err = fmt::format("unknown user '{}'", user), false;
      id.uid = pw->pw_uid;
      id.gid = pw->pw_gid;
    }
    id.set_uid = id.set_gid = true;
  }
  if (!group.empty()) {
    if (numeric(group, n)) {
      id.gid = static_cast<gid_t>(n);
    } else {
      struct group* gr = ::getgrnam(group.c_str());
      if (!gr) return err = fmt::format("unknown group '{}'", group), false;
      id.gid = gr->gr_gid;
    }
    id.set_gid = true;
  }
  return true;
}

bool daemonize(int& ready_fd, std::string& err) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return err = std::strerror(errno), false;
  pid_t pid = ::fork();
  if (pid < 0) return err = std::strerror(errno), false;
  if (pid > 0) {
    // Wait until the child is set up (or gone), so scripts see the pid file when we return.
    ::close(p[1]);
    char c;
    (void)!::read(p[0], &c, 1);
    ::_exit(0);
  }
  ::close(p[0]);
  ::setsid();
  int null = ::open("/dev/null", O_RDWR);
  if (null >= 0) {
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    if (null > 2) ::close(null);
  }
  ready_fd = p[1];  // closed by the caller once the pid file is written (or at exit)
  return true;
}

bool write_pidfile(const std::string& path, std::string& err) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return err = fmt::format("{}: {}", path, std::strerror(errno)), false;
  auto s = fmt::format("{}\n", ::getpid());
  bool ok = ::write(fd, s.data(), s.size()) == static_cast<ssize_t>(s.size());
  ::close(fd);
  if (!ok) err = fmt::format("{}: write failed", path);
  return ok;
}

bool drop_privileges(const Identity& id, const std::string& chroot_dir, std::string& err) {
  if (!chroot_dir.empty()) {
    if (::chroot(chroot_dir.c_str()) != 0 || ::chdir("/") != 0)
      return err = fmt::format("chroot {}: {}", chroot_dir, std::strerror(errno)), false;
  }
  if (id.set_gid) {
    if (::setgroups(1, &id.gid) != 0 || ::setgid(id.gid) != 0)
      return err = fmt::format("setgid {}: {}", id.gid, std::strerror(errno)), false;
  }
  if (id.set_uid) {
    if (::setuid(id.uid) != 0) return err = fmt::format("setuid {}: {}", id.uid, std::strerror(errno)), false;
  }
  return true;
}

}  // namespace nat64
