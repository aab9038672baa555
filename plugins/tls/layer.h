#pragma once
// DNS over TLS for a tls:// server block (RFC 7858): the server's connections go through a TLS
// session of core/tls, built from the block's certificate.
#include <memory>

#include "core/plugin/stream_layer.h"
#include "core/tls/tls.h"

namespace coredns::plugins::tls {

class TlsLayerFactory final : public StreamLayerFactory {
 public:
  explicit TlsLayerFactory(std::shared_ptr<const coredns::tls::ServerConfig> config)
      : config_(std::move(config)) {}
  std::unique_ptr<StreamLayer> open() const override;

 private:
  std::shared_ptr<const coredns::tls::ServerConfig> config_;
};

}  // namespace coredns::plugins::tls
