// The TUN device, with the 4-byte packet-information header as Tayga uses it.
#pragma once

#include <string>

namespace nat64 {

// Opens the device, creating a non-persistent one if it does not exist. A single-queue attach
// is tried first, then a multi-queue one (a device made persistent by apalrd/tayga or by our
// --mktun is multi-queue). Returns the fd, or -1 with `err` set.
int tun_open(const std::string& name, std::string& err);

// --mktun / --rmtun: makes the device persistent (creating it, multi-queue) or removes it.
bool tun_set_persistent(const std::string& name, bool persist, std::string& err);

// SIOCGIFMTU; -1 on error.
int tun_mtu(const std::string& name);
int tun_ifindex(const std::string& name);
bool tun_set_up(const std::string& name, std::string& err);

// Packet-information header: flags (2 bytes) then the ethertype (big-endian).
constexpr unsigned kTunPiSize = 4;
constexpr unsigned short kEthIpv4 = 0x0800, kEthIpv6 = 0x86dd;

}  // namespace nat64
