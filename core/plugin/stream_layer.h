#pragma once
// A layer a plugin puts between a server block's TCP connections and the DNS framing (RFC 1035
// §4.2.2's two-byte length prefix): the tls plugin's DNS over TLS (RFC 7858). The server owns
// the socket, the timeouts and the framing; the layer only turns the bytes that arrive into the
// bytes of the framed stream, and the framed replies into the bytes to send. It never touches a
// socket, so the server's connection handling stays one piece of code for plain TCP and TLS.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace coredns {

// One connection's layer, used on the worker thread that owns the connection.
class StreamLayer {
 public:
  virtual ~StreamLayer() = default;
  // Bytes from the network; what they carry for the DNS framing is appended to `plain`. False
  // when the connection must close (a failed handshake, a bad record); outgoing() may then
  // still hold an alert to send first.
  virtual bool feed(std::span<const uint8_t> in, std::vector<uint8_t>& plain) = 0;
  // Framed reply bytes to carry to the client (queued until the layer can send them).
  virtual void write(std::span<const uint8_t> plain) = 0;
  // What to send now, handshake included; moved out.
  virtual std::vector<uint8_t> take_outgoing() = 0;
  // True once the layer carries data (a TLS handshake completed).
  virtual bool established() const = 0;
  // Tells the peer this side closes (a TLS close_notify), queued into the outgoing bytes.
  virtual void close() = 0;
};

// What a server block's setup hands to the server (BlockOptions::stream_layer): a factory of
// per-connection layers, immutable and shared by every worker.
class StreamLayerFactory {
 public:
  virtual ~StreamLayerFactory() = default;
  virtual std::unique_ptr<StreamLayer> open() const = 0;
};

}  // namespace coredns
