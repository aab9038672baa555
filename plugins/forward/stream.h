#pragma once
// The seam between a pooled upstream connection and what carries its bytes. A connection
// (plugins/forward/stream_pool.h) frames and matches DNS messages; a Stream only moves bytes.
// TCP is one Stream (TcpStream); DNS over TLS is another (TlsStream: a core/tls session whose
// records travel over a TcpStream), so that the pool, pipelining, idle close and matching are
// shared. docs/forward-transport.md describes the contract.
#include <sys/socket.h>
#include <uv.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace coredns::plugins::forward {

class StreamEvents {
 public:
  virtual ~StreamEvents() = default;
  // The stream is ready for data (TCP connected; TLS: handshake done). Writes made before are
  // queued and go out first.
  virtual void on_open() = 0;
  // Plain bytes that arrived, in order, in pieces of any size.
  virtual void on_data(std::span<const uint8_t> bytes) = 0;
  // The stream ended: `err` is 0 for an orderly close by the peer, else a negative errno. `op`
  // says what failed ("dial", "read", "write"). Called at most once; nothing follows.
  virtual void on_end(const char* op, int err) = 0;
};

class Stream {
 public:
  virtual ~Stream() = default;
  // Queues bytes (any number of messages) and sends them as soon as the stream is open.
  virtual void write(std::vector<uint8_t> bytes) = 0;
  // Ends the stream; no event is delivered after this call. The object frees itself.
  virtual void close() = 0;
  // "IP:port" of our end, for error texts; empty before the connection exists.
  virtual std::string local_text() const = 0;
  // Why a stream that ended with op "tls" failed ("tls: failed to verify certificate: …").
  virtual std::string failure() const { return {}; }
};

// A TCP connection to `remote` from `source` (may be null) on `loop`.
Stream* open_tcp_stream(uv_loop_t* loop, const sockaddr_storage& remote,
                        const sockaddr_storage* source, StreamEvents* events);

class Upstream;

// A DNS-over-TLS connection to `up` (its address, TLS config and resumption cache) over TCP.
// on_open() comes once the handshake is done; a handshake that fails ends the stream with op
// "tls" and failure() saying why. The handshake and connection metrics are kept here.
Stream* open_tls_stream(uv_loop_t* loop, const Upstream& up, const sockaddr_storage* source,
                        StreamEvents* events);

}  // namespace coredns::plugins::forward
