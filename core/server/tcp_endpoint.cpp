#include "core/server/tcp_endpoint.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <utility>

#include "core/async/loop.h"
#include "core/dns/wire.h"
#include "core/server/replies.h"
#include "core/server/serve_query.h"
#include "core/server/server.h"
#include "core/server/worker.h"

namespace coredns::server {
namespace {

// CoreDNS's read deadlines: 3 s for the first query of a connection, 10 s between queries.
constexpr uint64_t kFirstQueryTimeoutMs = 3000;
// A stream layer's handshake (TLS) must complete within this, then the first query's deadline
// starts. Longer than CoreDNS's 3 s, which include the handshake: a burst of new connections
// queues handshakes that cost milliseconds of CPU each, and a client whose handshake waited
// behind the others must not be cut off for the server's slowness.
constexpr uint64_t kHandshakeTimeoutMs = 10000;
constexpr uint64_t kIdleTimeoutMs = 10000;
// Beyond this many queries in flight on one connection, reading pauses until some complete.
constexpr int kMaxInflightPerConnection = 128;
// Connections one worker keeps open on one listen address; beyond it a new one is closed at once
// (RFC 7766 §6.2.3 lets a server limit its connections), so a flood of idle connections costs a
// bounded amount of memory (a TLS session holds about 40 KB).
constexpr size_t kMaxConnectionsPerWorker = 4096;

// Where libuv reads ciphertext for a stream layer, and where the layer puts what it decrypted:
// both are consumed within the read callback, so one pair per thread serves every connection
// and an idle one holds neither.
uint8_t* layer_read_buffer(size_t& size) {
  static thread_local std::unique_ptr<uint8_t[]> buf(new uint8_t[65536]);
  size = 65536;
  return buf.get();
}
std::vector<uint8_t>& layer_plaintext() {
  static thread_local std::vector<uint8_t> plain;
  plain.clear();
  return plain;
}

// Bytes read from a connection and not yet consumed; libuv reads straight into its free tail.
class ReadBuffer {
 public:
  uint8_t* data() { return buf_.get(); }
  uint8_t* end() { return buf_.get() + len_; }
  size_t size() const { return len_; }
  size_t room() const { return cap_ - len_; }
  void make_room(size_t want) {
    if (room() < want / 4) grow(len_ + want);
  }
  void commit(size_t n) { len_ += n; }
  void append(std::span<const uint8_t> bytes) {
    // Queries are small: a connection that only ever gets them keeps a small buffer.
    if (room() < bytes.size()) grow(len_ + std::max<size_t>(bytes.size(), 2048));
    std::memcpy(end(), bytes.data(), bytes.size());
    len_ += bytes.size();
  }
  void consume(size_t n) {
    if (n && n < len_) std::memmove(buf_.get(), buf_.get() + n, len_ - n);
    len_ -= n;
  }

 private:
  void grow(size_t cap) {
    std::unique_ptr<uint8_t[]> bigger(new uint8_t[cap]);
    if (len_) std::memcpy(bigger.get(), buf_.get(), len_);
    buf_ = std::move(bigger);
    cap_ = cap;
  }

  std::unique_ptr<uint8_t[]> buf_;
  size_t len_ = 0;
  size_t cap_ = 0;
};

}  // namespace

class TcpConnection {
 public:
  TcpConnection(TcpEndpoint& ep) : endpoint_(ep), worker_(ep.worker()) {
    uv_tcp_init(worker_.loop(), &handle_);
    handle_.data = this;
    uv_timer_init(worker_.loop(), &timer_);
    timer_.data = this;
    endpoint_.connection_opened(this);
  }
  ~TcpConnection() { endpoint_.connection_closed(this); }

  bool accept(uv_stream_t* server, const StreamLayerFactory* layer) {
    if (uv_accept(server, reinterpret_cast<uv_stream_t*>(&handle_)) != 0) return false;
    sockaddr_storage ss{};
    int len = sizeof ss;
    uv_tcp_getpeername(&handle_, reinterpret_cast<sockaddr*>(&ss), &len);
    remote_ = Endpoint::from(reinterpret_cast<sockaddr*>(&ss));
    len = sizeof ss;
    uv_tcp_getsockname(&handle_, reinterpret_cast<sockaddr*>(&ss), &len);
    local_ = Endpoint::from(reinterpret_cast<sockaddr*>(&ss));
    // Replies go out as they complete, often several small ones in a row: Nagle's algorithm
    // would hold each behind the client's delayed ACK of the previous one (Go, and so CoreDNS,
    // turns it off on every TCP connection too).
    uv_tcp_nodelay(&handle_, 1);
    if (layer) layer_ = layer->open();
    start_reading();
    arm_timer(layer_ ? kHandshakeTimeoutMs : kFirstQueryTimeoutMs);
    return true;
  }

  // Closes now if idle, else once the queries in flight are answered.
  void finish() {
    finishing_ = true;
    if (inflight_ == 0) close();
  }

  // Replies that complete while the connection's input is being read (cache hits, local
  // answers) are held and go out together once the read is done: one write system call for all
  // of them, and over a stream layer one TLS record of up to 16 KB instead of one per reply. A
  // reply that completes later (an upstream's answer) goes out at once.
  void write_reply(std::span<const uint8_t> reply) {
    if (closing_ || reply.size() > 65535) return;
    const size_t at = replies_.size();
    replies_.resize(at + 2 + reply.size());
    dns::store16(replies_.data() + at, static_cast<uint16_t>(reply.size()));
    std::memcpy(replies_.data() + at + 2, reply.data(), reply.size());
    if (!reading_) flush_replies();
  }

  void flush_replies() {
    if (replies_.empty()) return;
    if (!layer_) {
      send(std::exchange(replies_, {}));
      return;
    }
    layer_->write(replies_);
    replies_ = {};  // an idle connection holds no buffer (the layer has copied the bytes)
    send(layer_->take_outgoing());
  }

  // Queues bytes on the socket; a socket that refuses them is closed.
  void send(std::vector<uint8_t> bytes) {
    if (closing_ || bytes.empty()) return;
    if (!write_now(std::move(bytes))) close();
  }

  bool write_now(std::vector<uint8_t> bytes) {
    auto* w = new WriteReq;
    w->bytes = std::move(bytes);
    uv_buf_t buf = uv_buf_init(reinterpret_cast<char*>(w->bytes.data()),
                               static_cast<unsigned>(w->bytes.size()));
    w->req.data = this;
    ++writes_;
    int rc = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&handle_), &buf, 1,
                      [](uv_write_t* req, int) {
                        auto* self = static_cast<TcpConnection*>(req->data);
                        delete reinterpret_cast<WriteReq*>(req);
                        --self->writes_;
                        self->maybe_free();
                      });
    if (rc != 0) {
      delete w;
      --writes_;
      return false;
    }
    return true;
  }

  void query_done() {
    --inflight_;
    worker_.query_finished();
    if (closing_) {
      maybe_free();
      return;
    }
    if (paused_ && inflight_ < kMaxInflightPerConnection) start_reading();
    if (inflight_ == 0) {
      if (finishing_) {
        close();
        return;
      }
      arm_timer(kIdleTimeoutMs);
    }
  }

 private:
  struct WriteReq {
    uv_write_t req;
    std::vector<uint8_t> bytes;
  };

  void start_reading() {
    paused_ = false;
    uv_read_start(
        reinterpret_cast<uv_stream_t*>(&handle_),
        [](uv_handle_t* h, size_t, uv_buf_t* buf) {
          auto* self = static_cast<TcpConnection*>(h->data);
          if (self->layer_) {
            size_t size = 0;
            uint8_t* p = layer_read_buffer(size);
            *buf = uv_buf_init(reinterpret_cast<char*>(p), static_cast<unsigned>(size));
            return;
          }
          self->input_.make_room(16384);
          *buf = uv_buf_init(reinterpret_cast<char*>(self->input_.end()),
                             static_cast<unsigned>(self->input_.room()));
        },
        [](uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
          auto* self = static_cast<TcpConnection*>(s->data);
          if (n == UV_EOF) {
            // A client may half-close once its queries are sent: answer them, then close.
            self->finish();
            return;
          }
          if (n < 0) {
            self->close();
            return;
          }
          self->reading_ = true;
          if (self->layer_) {
            self->unwrap({reinterpret_cast<const uint8_t*>(buf->base), static_cast<size_t>(n)});
          } else {
            self->input_.commit(static_cast<size_t>(n));
            self->consume();
          }
          self->reading_ = false;
          self->flush_replies();
        });
  }

  // Passes network bytes through the layer: the framed stream they carry joins input_, and what
  // the layer answers (its handshake) goes out at once. A layer failure (garbage instead of a
  // TLS ClientHello, a bad record) closes this connection only.
  void unwrap(std::span<const uint8_t> in) {
    std::vector<uint8_t>& plain = layer_plaintext();
    const bool ok = layer_->feed(in, plain);
    send(layer_->take_outgoing());
    if (!ok) {
      close();
      return;
    }
    if (!established_ && layer_->established()) {
      established_ = true;
      if (inflight_ == 0) arm_timer(kFirstQueryTimeoutMs);
    }
    if (plain.empty()) return;
    input_.append(plain);
    consume();
  }

  void consume() {
    size_t pos = 0;
    while (!closing_ && input_.size() - pos >= 2) {
      size_t len = dns::load16(input_.data() + pos);
      if (input_.size() - pos - 2 < len) break;
      handle_frame({input_.data() + pos + 2, len});
      pos += 2 + len;
    }
    input_.consume(pos);
    if (!closing_ && inflight_ >= kMaxInflightPerConnection) {
      uv_read_stop(reinterpret_cast<uv_stream_t*>(&handle_));
      paused_ = true;
    }
  }

  void handle_frame(std::span<const uint8_t> raw) {
    // Frames shorter than a header are ignored, and the connection waits for the next one.
    if (raw.size() < dns::kHeaderSize) return;
    dns::MessageView query;
    if (!admit(raw, query, [this](std::vector<uint8_t> reply) { write_reply(reply); })) return;
    const Server* server = endpoint_.server();
    HeldConfig* ref = endpoint_.ref();
    if (!server) return;
    uv_timer_stop(&timer_);
    ++inflight_;
    ref->enter();
    worker_.query_started();
    serve_query(server, ref, query, Transport::tcp, remote_, local_, [this](Response&& resp) {
      if (resp.written()) write_reply(resp.wire);
      query_done();
    });
  }

  void arm_timer(uint64_t ms) {
    uv_timer_start(&timer_,
                   [](uv_timer_t* t) {
                     auto* self = static_cast<TcpConnection*>(t->data);
                     if (self->inflight_ == 0) self->close();
                   },
                   ms, 0);
  }

  void close() {
    if (closing_) return;
    closing_ = true;
    if (layer_) {
      // The layer's goodbye (TLS close_notify), best effort: the socket may be gone already.
      layer_->close();
      if (auto bye = layer_->take_outgoing(); !bye.empty()) write_now(std::move(bye));
    }
    uv_timer_stop(&timer_);
    handles_open_ = 2;
    auto on_closed = [](uv_handle_t* h) {
      auto* self = static_cast<TcpConnection*>(h->data);
      --self->handles_open_;
      self->maybe_free();
    };
    uv_close(reinterpret_cast<uv_handle_t*>(&handle_), on_closed);
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_), on_closed);
  }

  void maybe_free() {
    if (closing_ && handles_open_ == 0 && inflight_ == 0 && writes_ == 0) delete this;
  }

  TcpEndpoint& endpoint_;
  Worker& worker_;
  uv_tcp_t handle_;
  uv_timer_t timer_;
  Endpoint remote_, local_;
  ReadBuffer input_;
  std::vector<uint8_t> replies_;  // framed replies held while reading_
  std::unique_ptr<StreamLayer> layer_;
  int inflight_ = 0;
  int writes_ = 0;
  int handles_open_ = 0;
  bool paused_ = false;
  bool reading_ = false;  // inside the read callback: replies wait in replies_
  bool established_ = false;  // the layer's handshake completed
  bool closing_ = false;
  bool finishing_ = false;
};

TcpEndpoint::TcpEndpoint(Worker& worker, int fd) : worker_(worker) {
  uv_tcp_init(worker_.loop(), &handle_);
  uv_tcp_open(&handle_, fd);
  handle_.data = this;
  uv_listen(reinterpret_cast<uv_stream_t*>(&handle_), 1024, on_connection);
}

void TcpEndpoint::on_connection(uv_stream_t* s, int status) {
  auto* self = static_cast<TcpEndpoint*>(s->data);
  if (status < 0 || self->closed_) return;
  auto* c = new TcpConnection(*self);
  const bool full = self->connections_.size() > kMaxConnectionsPerWorker;
  const StreamLayerFactory* layer = self->server_ && !full ? self->server_->stream_layer() : nullptr;
  if (!c->accept(s, layer) || full) c->finish();
}

void TcpEndpoint::close() {
  if (closed_) return;
  closed_ = true;
  for (TcpConnection* c : std::vector<TcpConnection*>(connections_.begin(), connections_.end()))
    c->finish();
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_), [](uv_handle_t* h) {
    auto* self = static_cast<TcpEndpoint*>(h->data);
    self->handle_closed_ = true;
    if (self->connections_.empty()) delete self;
  });
}

void TcpEndpoint::connection_closed(TcpConnection* c) {
  connections_.erase(c);
  if (closed_ && handle_closed_ && connections_.empty()) delete this;
}

}  // namespace coredns::server
