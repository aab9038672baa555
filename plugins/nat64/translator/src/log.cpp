#include "nat64/log.h"

#include <cstdlib>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace nat64 {

namespace {
LogTarget g_target = LogTarget::syslog;
bool g_debug = false;
}  // namespace

void log_init(LogTarget target, bool debug) {
  g_target = target == LogTarget::automatic ? LogTarget::syslog : target;
  g_debug = debug;
  if (g_target == LogTarget::syslog) openlog("nat64", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_msg(int priority, std::string_view msg) {
  if (priority == LOG_DEBUG && !g_debug) return;
  switch (g_target) {
    case LogTarget::syslog:
    case LogTarget::automatic:
      syslog(priority, "%.*s", static_cast<int>(msg.size()), msg.data());
      break;
    case LogTarget::journal: {
      // journald reads "<prio>" prefixes on a service's stdout/stderr stream.
      auto line = fmt::format("<{}>{}\n", priority, msg);
      (void)!::write(STDERR_FILENO, line.data(), line.size());
      break;
    }
    case LogTarget::stdout_: {
      std::string line(msg);
      line += '\n';
      (void)!::write(STDOUT_FILENO, line.data(), line.size());
      break;
    }
  }
}

void notify_ready() {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (!path || !*path) return;
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  const size_t n = std::strlen(path);
  if (n >= sizeof sa.sun_path) return;
  std::memcpy(sa.sun_path, path, n);
  if (sa.sun_path[0] == '@') sa.sun_path[0] = 0;  // abstract socket
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  static const char msg[] = "READY=1";
  ::sendto(fd, msg, sizeof msg - 1, 0, reinterpret_cast<sockaddr*>(&sa),
           static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + n));
  ::close(fd);
}

}  // namespace nat64
