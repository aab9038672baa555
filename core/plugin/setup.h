#pragma once
#include <memory>
#include <string>
#include <typeindex>
#include <unordered_map>
#include <vector>

#include "core/corefile/dispenser.h"
#include "core/corefile/keys.h"
#include "core/corefile/parser.h"
#include "core/plugin/handler.h"
#include "core/plugin/lifecycle.h"
#include "core/plugin/stream_layer.h"

namespace coredns {

// Options of one server block that plugins set and the server reads.
struct BlockOptions {
  bool debug = false;                  // debug: no panic recovery, [DEBUG] logs
  bool stacktrace = false;             // errors { stacktrace }
  // bind: listen only on these addresses. Empty means every address, unless bind_used is set:
  // bind excepted everything it named, and the block listens nowhere (as in CoreDNS).
  std::vector<std::string> bind_hosts;
  bool bind_used = false;
  // tls: the layer every connection of the block's tls:// addresses goes through. A tls:// block
  // without one is refused (CoreDNS would serve plain DNS there).
  std::shared_ptr<const StreamLayerFactory> stream_layer;
};

// Command-line settings plugins may need.
struct ProcessOptions {
  std::string conf_path;     // -conf as given, "" when ./Corefile or the default is used
  std::string default_port = "53";
};

// State shared by the plugins of one running configuration (or of the whole process), keyed by
// type so the core needs to know none of them: e.g. the HTTP listeners of health and ready.
class SharedState {
 public:
  template <typename T>
  T& get() {
    auto& slot = items_[std::type_index(typeid(T))];
    if (!slot) slot = std::shared_ptr<void>(new T(), [](void* p) { delete static_cast<T*>(p); });
    return *static_cast<T*>(slot.get());
  }
  template <typename T>
  T* find() {
    auto it = items_.find(std::type_index(typeid(T)));
    return it == items_.end() ? nullptr : static_cast<T*>(it->second.get());
  }
  void clear() { items_.clear(); }

 private:
  std::unordered_map<std::type_index, std::shared_ptr<void>> items_;
};

// What a plugin's setup gets for one server block: CoreDNS's Controller.
class SetupContext {
 public:
  SetupContext(std::string directive, corefile::Dispenser dispenser,
               const std::vector<corefile::ZoneAddress>& zones, size_t block_index,
               BlockOptions& block, Lifecycle& lifecycle, SharedState& instance_state,
               SharedState& process_state, const ProcessOptions& options)
      : d(std::move(dispenser)),
        directive_(std::move(directive)),
        zones_(zones),
        block_index_(block_index),
        block_(block),
        lifecycle_(lifecycle),
        instance_state_(instance_state),
        process_state_(process_state),
        options_(options) {}

  // Every token of every occurrence of the directive in this block.
  corefile::Dispenser d;

  const std::string& directive() const { return directive_; }
  // The block's keys, normalised ("dns://example.org.:53"), reverse CIDRs expanded.
  const std::vector<corefile::ZoneAddress>& zones() const { return zones_; }
  size_t block_index() const { return block_index_; }

  void add_handler(std::shared_ptr<Handler> h) { handlers_.push_back(std::move(h)); }
  // The block's whole chain in plugin.cfg order. It is complete only once every setup ran:
  // keep the reference and read it from a lifecycle callback (prometheus labels its
  // coredns_plugin_enabled series with it). Empty unless the core set it.
  const std::vector<Handler*>& chain() const {
    static const std::vector<Handler*> none;
    return chain_ ? *chain_ : none;
  }
  void set_chain(const std::vector<Handler*>* chain) { chain_ = chain; }
  const std::vector<std::shared_ptr<Handler>>& handlers() const { return handlers_; }
  // Every server block of the configuration as parsed, `[block_index()]` being this one, for a
  // plugin that reads another directive's arguments without depending on that plugin (nat64
  // compares dns64's prefix with its own). Empty unless the core set it.
  const std::vector<corefile::ServerBlock>& server_blocks() const {
    static const std::vector<corefile::ServerBlock> none;
    return blocks_ ? *blocks_ : none;
  }
  void set_server_blocks(const std::vector<corefile::ServerBlock>* blocks) { blocks_ = blocks; }

  BlockOptions& block() { return block_; }
  Lifecycle& lifecycle() { return lifecycle_; }
  // State living as long as this configuration; state living as long as the process.
  SharedState& instance_state() { return instance_state_; }
  SharedState& process_state() { return process_state_; }
  const ProcessOptions& options() const { return options_; }

 private:
  std::string directive_;
  const std::vector<corefile::ZoneAddress>& zones_;
  size_t block_index_;
  BlockOptions& block_;
  Lifecycle& lifecycle_;
  SharedState& instance_state_;
  SharedState& process_state_;
  const ProcessOptions& options_;
  std::vector<std::shared_ptr<Handler>> handlers_;
  const std::vector<Handler*>* chain_ = nullptr;
  const std::vector<corefile::ServerBlock>* blocks_ = nullptr;
};

}  // namespace coredns
