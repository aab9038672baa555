#include "core/server/config.h"

#include <fmt/format.h>

#include <set>

#include "core/plugin/registry.h"
#include "core/util/error.h"
#include "core/util/log.h"

namespace coredns::server {
namespace {

corefile::DirectiveKind classify(std::string_view name) {
  const DirectiveEntry* e = find_directive(name);
  if (!e) return corefile::DirectiveKind::unknown;
  return e->def ? corefile::DirectiveKind::built : corefile::DirectiveKind::known_not_built;
}

}  // namespace

std::shared_ptr<Config> Config::build(const CorefileInput& input,
                                          const ProcessOptions& options,
                                          SharedState& process_state) {
  std::shared_ptr<Config> inst(new Config());
  inst->input_ = input;
  inst->parse();
  if (inst->parsed_.empty()) {
    corefile::ParseOptions po;
    po.path = input.path;
    po.directive_kind = classify;
    inst->parsed_ = corefile::parse(server::default_corefile(options.default_port), po);
  }
  inst->setup_plugins(options, process_state);
  inst->build_servers();
  return inst;
}

Config::~Config() = default;

void Config::parse() {
  corefile::ParseOptions po;
  po.path = input_.path;
  po.directive_kind = classify;
  po.warn = [](const std::string& message) { log::warning(message); };
  parsed_ = corefile::parse(input_.text, po);
}

void Config::setup_plugins(const ProcessOptions& options, SharedState& process_state) {
  for (const auto& parsed : parsed_) {
    auto block = std::make_unique<Block>();
    try {
      block->zones = corefile::normalize_keys(parsed.keys, options.default_port);
    } catch (const ConfigError& e) {
      throw ConfigError(std::string("error inspecting server blocks: ") + e.what());
    }
    blocks_.push_back(std::move(block));
  }
  // plugin.cfg order decides both the order setups run in and the order of each chain.
  for (const DirectiveEntry& entry : directive_table()) {
    for (size_t i = 0; i < parsed_.size(); ++i) {
      const corefile::Tokens* tokens = parsed_[i].find(entry.name);
      if (!tokens) continue;
      if (!entry.def)
        throw ConfigError(fmt::format(
            "no action found for directive '{}' with server type 'dns' (missing a plugin?)",
            entry.name));
      Block& block = *blocks_[i];
      SetupContext ctx(std::string(entry.name), corefile::Dispenser(*tokens, input_.path),
                       block.zones, i, block.options, lifecycle_, state_, process_state,
                       options);
      ctx.set_chain(&block.chain);
      ctx.set_server_blocks(&parsed_);
      try {
        entry.def().setup(ctx);
      } catch (const ConfigError& e) {
        throw ConfigError(fmt::format("plugin/{}: {}", entry.name, e.what()));
      }
      for (const auto& h : ctx.handlers()) {
        block.handlers.push_back(h);
        block.chain.push_back(h.get());
      }
    }
  }
}

void Config::build_servers() {
  // Every (zone address, host) registered so far, and per zone address the host registered last:
  // a zone may be served on several bound hosts, or unbound, never both (CoreDNS's
  // core/dnsserver/register.go).
  std::set<std::pair<std::string, std::string>> registered;
  std::map<std::string, std::string> last_host;
  for (const auto& block : blocks_) {
    for (const corefile::ZoneAddress& za : block->zones) {
      if (za.transport == "unix") continue;  // CoreDNS creates no server for unix://
      corefile::check_port(za);
      if (za.transport != "dns" && za.transport != "tls")
        throw ConfigError(fmt::format(
            "cannot serve {} - the {} transport is not supported by this build, only dns:// and "
            "tls://",
            za.str(), za.transport));
      // CoreDNS serves unencrypted DNS on a tls:// address without certificates; a client that
      // asked for TLS would get none, so this build refuses it.
      if (za.transport == "tls" && !block->options.stream_layer)
        throw ConfigError(fmt::format(
            "cannot serve {} - a tls:// server block needs the tls directive (tls CERT KEY [CA])",
            za.str()));
      std::vector<std::string> hosts = block->options.bind_hosts;
      if (hosts.empty() && !block->options.bind_used) hosts.push_back("");
      for (const std::string& host : hosts) {
        const std::string name = za.str();
        const auto on = [](const std::string& h) { return h.empty() ? h : " on " + h; };
        if (registered.count({name, host}))
          throw ConfigError(fmt::format("cannot serve {}{} - it is already defined", name, on(host)));
        if (auto last = last_host.find(name); last != last_host.end()) {
          if (host.empty())
            throw ConfigError(fmt::format("cannot serve {} - zone overlap listener capacity with {}{}",
                                          name, name, on(last->second)));
          if (registered.count({name, ""}))
            throw ConfigError(fmt::format(
                "cannot serve {}{} - zone overlap listener capacity with {}", name, on(host), name));
        }
        registered.insert({name, host});
        last_host[name] = host;
        ListenAddress addr{za.transport, host, za.port};
        auto& srv = servers_[addr.key()];
        if (!srv) srv = std::make_unique<Server>(addr);
        if (!srv->add_zone(za.zone, block.get()))
          throw ConfigError(fmt::format("cannot serve {}{} - it is already defined", name, on(host)));
      }
    }
  }
}

std::vector<std::string> Config::startup_lines() const {
  std::vector<std::string> lines;
  for (const auto& [key, srv] : servers_) {
    const auto& addr = srv->address();
    const std::string scheme = addr.transport == "dns" ? "" : addr.transport + "://";
    for (const std::string& zone : srv->zone_names()) {
      if (zone != "." && !corefile::is_reverse_zone(zone) && !corefile::follows_rfc1035(zone))
        lines.push_back(
            fmt::format("Warning: Domain \"{}\" does not follow RFC1035 preferred syntax", zone));
      std::string line = fmt::format("{}{}:{}", scheme, zone, addr.port);
      if (!addr.host.empty()) line += " on " + addr.host;
      lines.push_back(line);
    }
  }
  return lines;
}

}  // namespace coredns::server
