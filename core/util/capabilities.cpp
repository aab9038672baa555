#include "core/util/capabilities.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace coredns::util {

bool take_file_capability(int use, int drop) {
  if (::geteuid() == 0) return true;
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capget, &header, data) != 0) return false;
  const auto bit = [](int cap) { return 1u << (cap % 32); };
  __user_cap_data_struct& used = data[use / 32];
  if (used.permitted & bit(use)) used.effective |= bit(use);
  __user_cap_data_struct& dropped = data[drop / 32];
  dropped.permitted &= ~bit(drop);
  dropped.effective &= ~bit(drop);
  dropped.inheritable &= ~bit(drop);
  return ::syscall(SYS_capset, &header, data) == 0;
}

}  // namespace coredns::util
