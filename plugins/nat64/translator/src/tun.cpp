#include "tun.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace nat64 {

namespace {

int tun_attach(const std::string& name, short extra_flags, int& saved_errno) {
  int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    saved_errno = errno;
    return -1;
  }
  ifreq ifr{};
  ifr.ifr_flags = static_cast<short>(IFF_TUN | extra_flags);  // no IFF_NO_PI: Tayga's framing
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (::ioctl(fd, TUNSETIFF, &ifr) < 0) {
    saved_errno = errno;
    ::close(fd);
    return -1;
  }
  return fd;
}

int ctl_socket() { return ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0); }

}  // namespace

int tun_open(const std::string& name, std::string& err) {
  int e = 0;
  int fd = tun_attach(name, 0, e);
  if (fd < 0 && e == EINVAL) fd = tun_attach(name, IFF_MULTI_QUEUE, e);
  if (fd < 0) err = "cannot open TUN device " + name + ": " + std::strerror(e);
  return fd;
}

bool tun_set_persistent(const std::string& name, bool persist, std::string& err) {
  int e = 0;
  int fd = tun_attach(name, IFF_MULTI_QUEUE, e);
  if (fd < 0 && e == EINVAL) fd = tun_attach(name, 0, e);
  if (fd < 0) {
    err = "cannot open TUN device " + name + ": " + std::strerror(e);
    return false;
  }
  if (::ioctl(fd, TUNSETPERSIST, persist ? 1 : 0) < 0) {
    err = std::string("TUNSETPERSIST: ") + std::strerror(errno);
    ::close(fd);
    return false;
  }
  ::close(fd);
  return true;
}

int tun_mtu(const std::string& name) {
  int s = ctl_socket();
  if (s < 0) return -1;
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  int mtu = ::ioctl(s, SIOCGIFMTU, &ifr) < 0 ? -1 : ifr.ifr_mtu;
  ::close(s);
  return mtu;
}

int tun_ifindex(const std::string& name) { return static_cast<int>(if_nametoindex(name.c_str())); }

bool tun_set_up(const std::string& name, std::string& err) {
  int s = ctl_socket();
  if (s < 0) {
    err = std::strerror(errno);
    return false;
  }
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  bool ok = ::ioctl(s, SIOCGIFFLAGS, &ifr) == 0;
  if (ok) {
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    ok = ::ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
  }
  if (!ok) err = "cannot bring " + name + " up: " + std::strerror(errno);
  ::close(s);
  return ok;
}

}  // namespace nat64
