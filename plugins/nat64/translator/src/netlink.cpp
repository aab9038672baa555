#include "nat64/netlink.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

namespace nat64 {

namespace {

struct Request {
  nlmsghdr nh;
  union {
    ifaddrmsg ifa;
    rtmsg rt;
  };
  char attrs[256];
};

void add_attr(Request& r, unsigned short type, const void* data, size_t len) {
  auto* rta = reinterpret_cast<rtattr*>(reinterpret_cast<char*>(&r) + NLMSG_ALIGN(r.nh.nlmsg_len));
  rta->rta_type = type;
  rta->rta_len = static_cast<unsigned short>(RTA_LENGTH(len));
  std::memcpy(RTA_DATA(rta), data, len);
  r.nh.nlmsg_len = NLMSG_ALIGN(r.nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

void addr_bytes(const TunAddress& a, unsigned char* out, size_t& len) {
  if (a.ipv6) {
    std::memcpy(out, a.v6.b.data(), 16);
    len = 16;
  } else {
    uint32_t n = htonl(a.v4);
    std::memcpy(out, &n, 4);
    len = 4;
  }
}

bool transact(Request& r, std::string& err) {
  int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) {
    err = std::strerror(errno);
    return false;
  }
  r.nh.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  bool ok = ::sendto(fd, &r, r.nh.nlmsg_len, 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa) >= 0;
  if (ok) {
    char buf[1024];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    ok = n >= static_cast<ssize_t>(sizeof(nlmsghdr));
    if (ok) {
      auto* h = reinterpret_cast<nlmsghdr*>(buf);
      if (h->nlmsg_type == NLMSG_ERROR) {
        int e = -reinterpret_cast<nlmsgerr*>(NLMSG_DATA(h))->error;
        // An address or route that is already there is fine (a restart).
        if (e != 0 && e != EEXIST) {
          err = std::strerror(e);
          ok = false;
        }
      }
    }
  }
  if (!ok && err.empty()) err = std::strerror(errno);
  ::close(fd);
  return ok;
}

}  // namespace

bool netlink_add_address(int ifindex, const TunAddress& a, std::string& err) {
  Request r{};
  r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(ifaddrmsg));
  r.nh.nlmsg_type = RTM_NEWADDR;
  r.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
  r.ifa.ifa_family = a.ipv6 ? AF_INET6 : AF_INET;
  r.ifa.ifa_prefixlen = static_cast<unsigned char>(a.len);
  r.ifa.ifa_index = static_cast<unsigned>(ifindex);
  unsigned char b[16];
  size_t len;
  addr_bytes(a, b, len);
  add_attr(r, IFA_LOCAL, b, len);
  add_attr(r, IFA_ADDRESS, b, len);
  return transact(r, err);
}

bool netlink_add_route(int ifindex, const TunAddress& a, std::string& err) {
  Request r{};
  r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(rtmsg));
  r.nh.nlmsg_type = RTM_NEWROUTE;
  r.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
  r.rt.rtm_family = a.ipv6 ? AF_INET6 : AF_INET;
  r.rt.rtm_dst_len = static_cast<unsigned char>(a.len);
  r.rt.rtm_table = RT_TABLE_MAIN;
  r.rt.rtm_protocol = RTPROT_BOOT;
  r.rt.rtm_scope = RT_SCOPE_LINK;
  r.rt.rtm_type = RTN_UNICAST;
  unsigned char b[16];
  size_t len;
  addr_bytes(a, b, len);
  add_attr(r, RTA_DST, b, len);
  uint32_t oif = static_cast<uint32_t>(ifindex);
  add_attr(r, RTA_OIF, &oif, sizeof oif);
  return transact(r, err);
}

}  // namespace nat64
