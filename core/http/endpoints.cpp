#include "core/http/endpoints.h"

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

namespace coredns::http {
namespace {

struct ConfigEndpoints;

struct ProcessEndpoints {
  Server server;
  // Between a reload's `restart` and its end: the configuration being built, once its startup
  // bound its addresses (null while it has none, or has not started).
  bool reloading = false;
  ConfigEndpoints* incoming = nullptr;
};

struct ConfigEndpoints {
  ProcessEndpoints* process = nullptr;
  std::vector<std::pair<std::string, std::shared_ptr<Routes>>> wanted;  // in first-named order
  // Addresses this configuration bound that do not serve it yet: if it never takes over (its
  // reload failed), they are closed when it is destroyed.
  std::vector<std::string> provisional;
  bool callbacks_registered = false;
  bool stop_registered = false;

  ~ConfigEndpoints() {
    if (process)
      for (const auto& address : provisional) process->server.close(address);
  }

  bool wants(const std::string& address) const {
    return std::any_of(wanted.begin(), wanted.end(),
                       [&](const auto& w) { return w.first == address; });
  }

  Routes& routes_for(const std::string& address) {
    for (auto& [a, routes] : wanted)
      if (a == address) return *routes;
    wanted.emplace_back(address, std::make_shared<Routes>());
    return *wanted.back().second;
  }
};

// `next` becomes the configuration the endpoints serve: its routes everywhere, the addresses it
// does not name closed. Null closes everything.
void take_over(ProcessEndpoints& p, ConfigEndpoints* next) {
  for (const auto& address : p.server.addresses())
    if (!next || !next->wants(address)) p.server.close(address);
  if (!next) return;
  for (const auto& [address, routes] : next->wanted) p.server.set_routes(address, routes);
  next->provisional.clear();
}

void register_callbacks(SetupContext& ctx, ConfigEndpoints& mine, ProcessEndpoints& p) {
  Lifecycle& lc = ctx.lifecycle();
  lc.startup.push_back([&mine, &p, &lc] {
    for (const auto& [address, routes] : mine.wanted) {
      if (p.server.bound(address)) continue;
      p.server.listen(address, routes);
      mine.provisional.push_back(address);
    }
    if (p.reloading) p.incoming = &mine;
    // Registered now rather than in setup so that it runs after every final_shutdown callback
    // the plugins registered (health's lameduck keeps /health answering until it is over).
    if (!mine.stop_registered) {
      mine.stop_registered = true;
      lc.final_shutdown.push_back([&p] { p.server.stop(); });
    }
  });
  lc.restart.push_back([&p] {
    p.reloading = true;
    p.incoming = nullptr;
  });
  lc.restart_failed.push_back([&p] {
    p.reloading = false;
    p.incoming = nullptr;
  });
  // On a reload the old configuration's shutdown comes right after the swap: hand the
  // endpoints over (this also covers a new configuration without any endpoint). At exit it is
  // not a reload, and the endpoints stay up for the final shutdown.
  lc.shutdown.push_back([&p] {
    if (!p.reloading) return;
    take_over(p, p.incoming);
    p.reloading = false;
    p.incoming = nullptr;
  });
  lc.started.push_back([&mine, &p] { take_over(p, &mine); });
}

}  // namespace

Server& process_server(SharedState& process_state) {
  return process_state.get<ProcessEndpoints>().server;
}

void add_endpoint(SetupContext& ctx, const std::string& address, const std::string& path,
                  Handler handler) {
  auto& p = ctx.process_state().get<ProcessEndpoints>();
  auto& mine = ctx.instance_state().get<ConfigEndpoints>();
  mine.process = &p;
  mine.routes_for(address)[path] = std::move(handler);
  if (!mine.callbacks_registered) {
    mine.callbacks_registered = true;
    register_callbacks(ctx, mine, p);
  }
}

}  // namespace coredns::http
