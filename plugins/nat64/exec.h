#pragma once
// Starting the nat64 program: what runs between fork and exec, and whether the program will be
// able to open its TUN device.
#include <sys/types.h>

#include <string>

namespace coredns::plugins::nat64 {

// What the forked child needs, prepared before fork: after it only async-signal-safe calls.
struct ExecArgs {
  const char* path;
  char* const* argv;
  char* const* envp;
  pid_t parent;
  int devnull, out, err, config, status;
  int max_fd;
};

// Runs in the forked child: a process group of its own, default signal handling, the
// descriptors in place (stdin /dev/null, stdout/stderr the pipes, the inline config at
// kInlineConfigFd), everything else closed, then execve. On failure the errno goes to `status`.
[[noreturn]] void exec_child(const ExecArgs& a);

// Whether a child started from `binary` will have CAP_NET_ADMIN: coredns is root or holds it
// as an ambient capability, or the program is set-user-ID root or has it as a file capability.
bool child_gets_net_admin(const std::string& binary);

}  // namespace coredns::plugins::nat64
