#include "plugins/tls/layer.h"

namespace coredns::plugins::tls {
namespace {

class TlsLayer final : public StreamLayer {
 public:
  explicit TlsLayer(std::unique_ptr<coredns::tls::Session> session)
      : session_(std::move(session)) {}

  bool feed(std::span<const uint8_t> in, std::vector<uint8_t>& plain) override {
    // A failed handshake is the client's business (Go's TLS server, and so CoreDNS, logs none):
    // the connection just closes, after the alert the session queued.
    return !session_->feed(in, plain).failed;
  }
  void write(std::span<const uint8_t> plain) override { session_->write(plain); }
  std::vector<uint8_t> take_outgoing() override { return session_->take_outgoing(); }
  bool established() const override { return session_->handshake_done(); }
  void close() override {
    // close_notify only means something on an established session.
    if (session_->handshake_done() && !session_->failed()) session_->close();
  }

 private:
  std::unique_ptr<coredns::tls::Session> session_;
};

}  // namespace

std::unique_ptr<StreamLayer> TlsLayerFactory::open() const {
  return std::make_unique<TlsLayer>(coredns::tls::Session::server(config_));
}

}  // namespace coredns::plugins::tls
