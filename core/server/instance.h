#pragma once
// One running configuration: the Corefile parsed, every plugin set up, the servers built. A
// reload builds a new Instance completely before anything is swapped (issue 4).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/corefile/parser.h"
#include "core/plugin/lifecycle.h"
#include "core/plugin/setup.h"
#include "core/server/corefile_loader.h"
#include "core/server/server.h"

namespace coredns {

class Instance {
 public:
  // Parses `input`, runs every setup in plugin.cfg order and builds the servers (spec §1.10
  // steps 3-6). Throws ConfigError with the message CoreDNS prints.
  static std::shared_ptr<Instance> build(const server::CorefileInput& input,
                                         const ProcessOptions& options,
                                         SharedState& process_state);

  const std::map<std::string, std::unique_ptr<Server>>& servers() const { return servers_; }
  Lifecycle& lifecycle() { return lifecycle_; }
  SharedState& state() { return state_; }
  const server::CorefileInput& input() const { return input_; }
  const std::vector<corefile::ServerBlock>& blocks() const { return parsed_; }

  // The zone list printed at startup (spec §2.10), warnings included.
  std::vector<std::string> startup_lines() const;

  ~Instance();

 private:
  Instance() = default;
  void parse();
  void setup_plugins(const ProcessOptions& options, SharedState& process_state);
  void build_servers();

  server::CorefileInput input_;
  std::vector<corefile::ServerBlock> parsed_;
  std::vector<std::unique_ptr<Block>> blocks_;
  std::map<std::string, std::unique_ptr<Server>> servers_;  // by listen address key
  Lifecycle lifecycle_;
  SharedState state_;
};

}  // namespace coredns
