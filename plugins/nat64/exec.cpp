#include "plugins/nat64/exec.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>

#include "core/util/read_file.h"
#include "plugins/nat64/directive.h"

namespace coredns::plugins::nat64 {
namespace {

constexpr int kCapNetAdmin = 12;

// A capability set of this process from /proc/self/status ("CapBnd:\t000001ffffffffff").
uint64_t status_caps(const std::string& key) {
  std::string status;
  if (util::read_file("/proc/self/status", status)) return 0;
  const size_t at = status.find("\n" + key + ":");
  if (at == std::string::npos) return 0;
  return std::strtoull(status.c_str() + at + key.size() + 2, nullptr, 16);
}

void close_from(int lo, int hi, int max_fd) {
  if (lo > hi) return;
#ifdef SYS_close_range
  if (::syscall(SYS_close_range, static_cast<unsigned>(lo), static_cast<unsigned>(hi), 0u) == 0) return;
#endif
  for (int fd = lo; fd <= std::min(hi, max_fd); ++fd) ::close(fd);
}

}  // namespace

[[noreturn]] void exec_child(const ExecArgs& a) {
  // A process group of its own: the terminal's Ctrl-C reaches coredns, which stops the child.
  ::setpgid(0, 0);
  // If coredns dies without stopping it (kill -9), the child gets SIGTERM. Linux clears this for
  // a set-user-ID or file-capability program: such a child outlives a killed coredns.
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != a.parent) ::_exit(1);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; ++s) ::sigaction(s, &dfl, nullptr);  // coredns ignores SIGPIPE
  // Out of the way first: a source descriptor may be one of the targets 0-3.
  const auto high = [](int fd) { return fd < 0 ? -1 : ::fcntl(fd, F_DUPFD_CLOEXEC, 10); };
  const int in = high(a.devnull), out = high(a.out), err = high(a.err), config = high(a.config);
  const int status = high(a.status);
  if (in >= 0) ::dup2(in, 0);
  else ::close(0);
  ::dup2(out, 1);
  ::dup2(err, 2);
  int first_free = 3;
  if (config >= 0) {
    ::dup2(config, kInlineConfigFd);
    first_free = kInlineConfigFd + 1;
  }
  close_from(first_free, status - 1, a.max_fd);
  close_from(status + 1, ~0u >> 1, a.max_fd);
  ::execve(a.path, a.argv, a.envp);
  const int e = errno;
  if (::write(status, &e, sizeof e) < 0) {
  }
  ::_exit(127);
}

bool child_gets_net_admin(const std::string& binary) {
  const uint64_t bit = uint64_t(1) << kCapNetAdmin;
  const uint64_t bounding = status_caps("CapBnd");
  if (!(bounding & bit)) return false;
  if (::geteuid() == 0 || (status_caps("CapAmb") & bit)) return true;
  struct stat st {};
  if (::stat(binary.c_str(), &st) == 0 && (st.st_mode & S_ISUID) && st.st_uid == 0) return true;
  // struct vfs_cap_data: magic_etc, then permitted (low 32 bits) and inheritable, little-endian.
  unsigned char caps[24];
  ssize_t n = ::getxattr(binary.c_str(), "security.capability", caps, sizeof caps);
  if (n >= 12) {
    const uint32_t permitted = uint32_t(caps[4]) | uint32_t(caps[5]) << 8 | uint32_t(caps[6]) << 16 |
                               uint32_t(caps[7]) << 24;
    if (permitted & bit) return true;
  }
  return false;
}

}  // namespace coredns::plugins::nat64
