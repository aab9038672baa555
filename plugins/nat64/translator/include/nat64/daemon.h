// Process plumbing as Tayga does it: pid file, daemonizing, dropping privileges, chroot.
#pragma once

#include <string>
#include <sys/types.h>

namespace nat64 {

struct Identity {
  bool set_uid = false, set_gid = false;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string user;
};

// -u/-g take names or numbers.
bool resolve_identity(const std::string& user, const std::string& group, Identity& id, std::string& err);
// Forks; the parent waits until the child closes `ready_fd` (after writing its pid file),
// then exits 0.
bool daemonize(int& ready_fd, std::string& err);
// Opens the pid file (mode 0644) and writes our pid.
bool write_pidfile(const std::string& path, std::string& err);
// chroot (when chroot_dir is not empty), then setgroups/setgid/setuid.
bool drop_privileges(const Identity& id, const std::string& chroot_dir, std::string& err);

}  // namespace nat64
