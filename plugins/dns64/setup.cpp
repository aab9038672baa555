#include "core/plugin/registry.h"
#include "core/plugin/setup.h"
#include "core/util/log.h"
#include "plugins/dns64/config.h"
#include "plugins/dns64/dns64.h"

namespace coredns::plugins {
namespace {

void setup(SetupContext& c) {
  // Each occurrence of the directive is a handler of its own, as in CoreDNS.
  while (c.d.next()) {
    std::vector<std::string> warnings;
    dns64::Config config = dns64::parse_config(c.d, warnings);
    for (const std::string& w : warnings) log::plugin_logger("dns64").warning(w);
    auto h = std::make_shared<dns64::Dns64>(std::move(config));
    // The chain is complete only once every setup ran: look down it when the block serves.
    const std::vector<Handler*>* chain = &c.chain();
    c.lifecycle().startup.push_back([chain, self = h.get()] {
      self->keep_answers(dns64::Dns64::keeping_gates(*chain, self));
    });
    c.add_handler(std::move(h));
  }
}

}  // namespace

const PluginDef& plugin_dns64() {
  static const PluginDef def{setup};
  return def;
}

}  // namespace coredns::plugins
