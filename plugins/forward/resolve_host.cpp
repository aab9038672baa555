#include "plugins/forward/resolve_host.h"

#include <ares.h>
#include <poll.h>

#include <cstring>
#include <string>

namespace coredns::plugins::forward {
namespace {

struct Lookup {
  std::vector<sockaddr_storage>* out;
  int status = ARES_ENODATA;
  bool done = false;
};

void on_addrinfo(void* arg, int status, int, ares_addrinfo* result) {
  auto* l = static_cast<Lookup*>(arg);
  l->done = true;
  l->status = status;
  if (!result) return;
  // A first, then AAAA, as CoreDNS asks for them in that order.
  for (int family : {AF_INET, AF_INET6})
    for (ares_addrinfo_node* n = result->nodes; n; n = n->ai_next) {
      if (n->ai_family != family) continue;
      sockaddr_storage ss{};
      std::memcpy(&ss, n->ai_addr, n->ai_addrlen);
      l->out->push_back(ss);
    }
  ares_freeaddrinfo(result);
}

}  // namespace

bool resolve_host(const std::string& host, const std::vector<std::string>& resolvers,
                  std::vector<sockaddr_storage>& out, std::string& error) {
  ares_options opts{};
  opts.timeout = 2000;
  opts.tries = 1;
  ares_channel channel = nullptr;
  int status = ares_init_options(&channel, &opts, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
  if (status != ARES_SUCCESS) {
    error = ares_strerror(status);
    return false;
  }
  if (!resolvers.empty()) {
    std::string csv;
    for (const auto& r : resolvers) csv += (csv.empty() ? "" : ",") + r;
    ares_set_servers_ports_csv(channel, csv.c_str());
  }
  Lookup lookup{&out};
  ares_addrinfo_hints hints{};
  hints.ai_family = AF_UNSPEC;
  ares_getaddrinfo(channel, host.c_str(), nullptr, &hints, on_addrinfo, &lookup);
  while (!lookup.done) {
    ares_socket_t socks[ARES_GETSOCK_MAXNUM];
    int bits = ares_getsock(channel, socks, ARES_GETSOCK_MAXNUM);
    pollfd fds[ARES_GETSOCK_MAXNUM];
    int n = 0;
    for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
      short ev = 0;
      if (ARES_GETSOCK_READABLE(bits, i)) ev |= POLLIN;
      if (ARES_GETSOCK_WRITABLE(bits, i)) ev |= POLLOUT;
      if (ev) fds[n++] = {socks[i], ev, 0};
    }
    timeval tv{};
    timeval* tvp = ares_timeout(channel, nullptr, &tv);
    int ms = tvp ? static_cast<int>(tvp->tv_sec * 1000 + tvp->tv_usec / 1000) + 1 : 100;
    poll(fds, static_cast<nfds_t>(n), ms);
    for (int i = 0; i < n; ++i)
      ares_process_fd(channel, (fds[i].revents & (POLLIN | POLLERR | POLLHUP)) ? fds[i].fd : ARES_SOCKET_BAD,
                      (fds[i].revents & POLLOUT) ? fds[i].fd : ARES_SOCKET_BAD);
    if (n == 0) ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
  }
  ares_destroy(channel);
  if (out.empty()) {
    error = ares_strerror(lookup.status == ARES_SUCCESS ? ARES_ENODATA : lookup.status);
    return false;
  }
  return true;
}

}  // namespace coredns::plugins::forward
