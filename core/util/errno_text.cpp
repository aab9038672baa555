#include "core/util/errno_text.h"

#include <cctype>
#include <cstring>

namespace coredns {

std::string go_errno_text(int error_number) {
  std::string text = std::strerror(error_number);
  if (!text.empty()) {
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  }
  return text;
}

}  // namespace coredns
