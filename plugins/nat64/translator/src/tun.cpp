#include "nat64/tun.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nat64/virtio_net.h"

namespace nat64 {

namespace {

int tun_attach(const std::string& name, short extra_flags, int& saved_errno) {
  int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
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

// Offered in this order until the kernel accepts one: USO needs Linux 6.2 (and both USO4 and
// USO6 at once), TSO needs checksum offload.
constexpr unsigned kOffloadChoices[] = {
    tun_f::csum | tun_f::tso4 | tun_f::tso6 | tun_f::tso_ecn | tun_f::uso4 | tun_f::uso6,
    tun_f::csum | tun_f::tso4 | tun_f::tso6 | tun_f::tso_ecn,
    tun_f::csum | tun_f::tso4 | tun_f::tso6,
    tun_f::csum,
};

}  // namespace

std::string tun_offload_names(unsigned f) {
  std::string s;
  auto add = [&](unsigned bit, const char* name) {
    if (!(f & bit)) return;
    if (!s.empty()) s += ' ';
    s += name;
  };
  add(tun_f::csum, "csum");
  add(tun_f::tso4, "tso4");
  add(tun_f::tso6, "tso6");
  add(tun_f::tso_ecn, "tso-ecn");
  add(tun_f::uso4, "uso4");
  add(tun_f::uso6, "uso6");
  return s.empty() ? "none" : s;
}

bool tun_open(const std::string& name, int queues, bool offload, TunQueues& out, std::string& err) {
  out = TunQueues{};
  const short vnet = offload ? IFF_VNET_HDR : 0;
  int e = 0;
  // The kernel refuses (EINVAL) a multi-queue attach to a single-queue device and the reverse.
  const short first = queues > 1 ? IFF_MULTI_QUEUE : 0, second = queues > 1 ? 0 : IFF_MULTI_QUEUE;
  short mq = first;
  int fd = tun_attach(name, static_cast<short>(vnet | mq), e);
  if (fd < 0 && e == EINVAL) {
    mq = second;
    fd = tun_attach(name, static_cast<short>(vnet | mq), e);
  }
  if (fd < 0) {
    err = "cannot open TUN device " + name + ": " + std::strerror(e);
    return false;
  }
  out.fds.push_back(fd);
  out.multi_queue = mq != 0;
  if (out.multi_queue)
    for (int i = 1; i < queues; ++i) {
      const int q = tun_attach(name, static_cast<short>(vnet | mq), e);
      if (q < 0) break;  // fewer queues than asked: the caller says so
      out.fds.push_back(q);
    }
  if (offload) {
    out.vnet_hdr = true;
    int one = 1;
    out.vnet_le = ::ioctl(fd, TUNSETVNETLE, &one) == 0;
    for (unsigned f : kOffloadChoices)
      if (::ioctl(fd, TUNSETOFFLOAD, f) == 0) {
        out.offloads = f;
        break;
      }
  }
  return true;
}

void tun_close(TunQueues& q) {
  if (!q.fds.empty() && q.offloads) (void)::ioctl(q.fds[0], TUNSETOFFLOAD, 0u);
  for (int fd : q.fds) ::close(fd);
  q.fds.clear();
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
