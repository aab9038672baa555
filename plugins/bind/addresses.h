#pragma once
// What `bind ADDRESS|IFACE ... { except ADDRESS|IFACE ... }` resolves to: the listen hosts of a
// server block. Kept apart from the system's interface list so it can be tested with any.
#include <string>
#include <vector>

namespace coredns::plugins::bind {

struct Interface {
  std::string name;
  std::vector<std::string> addresses;  // textual IPs; IPv6 link-local ones carry "%name"
};

// One `bind` line of a block.
struct BindLine {
  std::vector<std::string> targets;  // addresses or interface names
  std::vector<std::string> except;
};

// Expands addresses and interface names into IP strings, in argument order (an interface gives
// all its addresses). Throws ConfigError("not a valid IP address or interface name: \"x\"").
std::vector<std::string> expand(const std::vector<std::string>& args,
                                const std::vector<Interface>& interfaces);

// The hosts one line adds: its targets minus its exceptions. A block's lines add up in order; the
// result may be empty (everything excepted), and the block then listens nowhere.
std::vector<std::string> listen_hosts(const BindLine& line, const std::vector<Interface>& interfaces);

}  // namespace coredns::plugins::bind
