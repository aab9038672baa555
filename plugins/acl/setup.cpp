#include <set>

#include "core/plugin/registry.h"
#include "core/plugin/setup.h"
#include "plugins/acl/acl.h"

namespace coredns::plugins {
namespace {

// The block's listeners, as the `server` label names them ("dns://:53", "dns://[::1]:53").
std::vector<acl::ServerLabel> listeners(SetupContext& c) {
  std::vector<std::string> hosts = c.block().bind_hosts;
  if (hosts.empty()) hosts.push_back("");
  std::vector<acl::ServerLabel> out;
  std::set<std::string> seen;
  for (const auto& z : c.zones()) {
    for (const std::string& h : hosts) {
      const std::string host_port =
          (h.find(':') != std::string::npos ? "[" + h + "]" : h) + ":" + z.port;
      std::string key = z.transport + "://" + host_port;
      if (!seen.insert(key).second) continue;
      uint16_t port = 0;
      for (char ch : z.port) port = static_cast<uint16_t>(port * 10 + (ch - '0'));
      out.push_back({h, port, std::move(key)});
    }
  }
  return out;
}

void setup(SetupContext& c) {
  auto rules = acl::parse_rules(c.d, c.zones());
  c.add_handler(std::make_shared<acl::Acl>(std::move(rules), listeners(c)));
}

}  // namespace

const PluginDef& plugin_acl() {
  static const PluginDef def{setup};
  return def;
}

}  // namespace coredns::plugins
