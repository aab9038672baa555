#pragma once
// One running configuration: the Corefile parsed, every plugin set up, the servers built. A
// reload builds a new Config completely before anything is swapped (docs/architecture.md,
// Reload).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/corefile/parser.h"
#include "core/plugin/lifecycle.h"
#include "core/plugin/setup.h"
#include "core/server/corefile_loader.h"
#include "core/server/server.h"

namespace coredns::server {

class Config {
 public:
  // Parses `input`, runs every setup in plugin.cfg order and builds the servers (CoreDNS's
  // coremain/run.go and core/dnsserver/register.go, steps 3-6). Throws ConfigError with the message
  // CoreDNS prints.
  static std::shared_ptr<Config> build(const CorefileInput& input,
                                         const ProcessOptions& options,
                                         SharedState& process_state);

  const std::map<std::string, std::unique_ptr<Server>>& servers() const { return servers_; }
  Lifecycle& lifecycle() { return lifecycle_; }
  SharedState& state() { return state_; }
  const CorefileInput& input() const { return input_; }
  const std::vector<corefile::ServerBlock>& blocks() const { return parsed_; }

  // The zone list printed at startup (CoreDNS's core/dnsserver/onstartup.go), warnings included.
  std::vector<std::string> startup_lines() const;

  ~Config();

 private:
  Config() = default;
  void parse();
  void setup_plugins(const ProcessOptions& options, SharedState& process_state);
  void build_servers();

  CorefileInput input_;
  std::vector<corefile::ServerBlock> parsed_;
  std::vector<std::unique_ptr<Block>> blocks_;
  std::map<std::string, std::unique_ptr<Server>> servers_;  // by listen address key
  Lifecycle lifecycle_;
  SharedState state_;
};

}  // namespace coredns::server
