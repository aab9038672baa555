#pragma once
// The text Go prints for a system error number ("no such file or directory", "permission
// denied", "address already in use"): the C library's message with a lower-case initial.
#include <string>

namespace coredns {

std::string go_errno_text(int error_number);

}  // namespace coredns
