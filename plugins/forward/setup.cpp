#include <fmt/format.h>

#include "core/plugin/registry.h"
#include "core/plugin/setup.h"
#include "core/util/log.h"
#include "plugins/forward/forward.h"

namespace coredns::plugins {
namespace {

using forward::ForwardConfig;
using forward::Scheme;

// DNS over HTTPS needs an HTTP/2 client this build does not have; refusing at startup is better
// than answering SERVFAIL for every query.
void reject_unsupported(const ForwardConfig& f) {
  for (const auto& u : f.to) {
    if (u.scheme == Scheme::https)
      throw ConfigError(fmt::format(
          "https://{}: DNS over HTTPS upstreams are not supported in this build", u.text));
  }
}

void setup(SetupContext& c) {
  std::vector<ForwardConfig> configs;
  while (c.d.next()) {
    forward::ParseNotes notes;
    configs.push_back(forward::parse_forward(c.d, notes));
    for (const auto& w : notes.warnings) log::plugin_logger("forward").warning(w);
  }
  for (const auto& f : configs) reject_unsupported(f);
  // Several forwards in one block are chained in Corefile order; `next` hands over to the
  // following one.
  for (size_t i = 0; i < configs.size(); ++i) {
    auto h = std::make_shared<forward::Forward>(std::move(configs[i]), i + 1 < configs.size());
    forward::Forward* raw = h.get();
    c.lifecycle().worker_stop.push_back([raw] { raw->worker_stop(); });
    c.add_handler(std::move(h));
  }
}

}  // namespace

const PluginDef& plugin_forward() {
  static const PluginDef def{setup};
  return def;
}

}  // namespace coredns::plugins
