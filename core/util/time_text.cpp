#include "core/util/time_text.h"

#include <ctime>

namespace coredns {

std::string format_now(const char* format, Zone zone) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  if (zone == Zone::utc)
    gmtime_r(&now, &tm);
  else
    localtime_r(&now, &tm);
  char buf[64];
  return std::string(buf, std::strftime(buf, sizeof buf, format, &tm));
}

}  // namespace coredns
