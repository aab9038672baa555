#pragma once
// CoreDNS's Readiness interface. A plugin whose answers cannot be trusted yet (an upstream never
// reached, data still loading) reports a probe from its setup:
//
//   report_readiness(ctx, [state] { return state->loaded.load(); });
//
// The `ready` plugin answers 200 on /ready once every probe of the server blocks it is enabled
// in returned true, and 503 with the names of the plugins still not ready before that. Probes
// run on the HTTP server's thread, so they must be thread-safe and cheap; once a probe returned
// true it is not asked again (as CoreDNS).
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace coredns {

class SetupContext;

class ReadinessList {
 public:
  // `block` is the server block's index (SetupContext::block_index()).
  void add(std::string plugin, size_t block, std::function<bool()> probe);
  // The plugins of the blocks `covered` accepts that are not ready, sorted; empty when all are.
  std::vector<std::string> not_ready(const std::function<bool(size_t block)>& covered);

 private:
  struct Entry {
    std::string plugin;
    size_t block;
    std::function<bool()> probe;
    bool ready = false;
  };
  std::mutex mu_;
  std::vector<Entry> entries_;
};

// The readiness probes of the configuration `ctx` sets up.
std::shared_ptr<ReadinessList> readiness_list(SetupContext& ctx);
// Reports a probe for the plugin and server block `ctx` is setting up.
void report_readiness(SetupContext& ctx, std::function<bool()> probe);

}  // namespace coredns
