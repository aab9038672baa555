// The TUN device, with the 4-byte packet-information header as Tayga uses it, and optionally
// several queues (IFF_MULTI_QUEUE) and the virtio-net header with offloads (IFF_VNET_HDR).
#pragma once

#include <string>
#include <vector>

namespace nat64 {

struct TunQueues {
  std::vector<int> fds;     // one per queue (one worker each)
  bool multi_queue = false;
  bool vnet_hdr = false;    // frames carry a virtio-net header
  bool vnet_le = false;     // ... with little-endian fields (TUNSETVNETLE accepted)
  unsigned offloads = 0;    // TUN_F_* flags the kernel accepted
  bool uring = false;       // the workers batch their I/O with io_uring (else read/write)
};

// Opens `queues` queues of the device, creating a non-persistent one if it does not exist. With
// one queue, a single-queue attach is tried first, then a multi-queue one; with more, the other
// way round. A device made single-queue (Tayga 0.9.2, `ip tuntap`) gives one queue whatever was
// asked. With `offload`, frames carry the virtio-net header and the kernel is offered checksum,
// TSO and USO offloads; it keeps those it supports. Returns false with `err` set.
bool tun_open(const std::string& name, int queues, bool offload, TunQueues& out, std::string& err);
// Hands the offloads back (the device may be persistent and opened later by a program that does
// not expect GSO packets) and closes the queues.
void tun_close(TunQueues& q);
// "csum tso4 tso6 ..." for the log.
std::string tun_offload_names(unsigned offloads);

// --mktun / --rmtun: makes the device persistent (creating it, multi-queue) or removes it.
bool tun_set_persistent(const std::string& name, bool persist, std::string& err);

// SIOCGIFMTU; -1 on error.
int tun_mtu(const std::string& name);
int tun_ifindex(const std::string& name);
bool tun_set_up(const std::string& name, std::string& err);

}  // namespace nat64
