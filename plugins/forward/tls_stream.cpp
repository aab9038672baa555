// TlsStream: DNS over TLS (RFC 7858) as one more Stream. A core/tls session sits between the
// connection (StreamConn, which frames and matches) and a TcpStream (which moves the records).
#include <cerrno>

#include "core/tls/tls.h"
#include "plugins/forward/stream.h"
#include "plugins/forward/upstream.h"

namespace coredns::plugins::forward {
namespace {

class TlsStream final : public Stream, public StreamEvents {
 public:
  TlsStream(const Upstream& up, StreamEvents* events)
      : events_(events), link_(up.tls_link()) {
    session_ = tls::Session::client(link_->config, link_->peer_ip, link_->resume);
    link_->connections->add(1);
  }
  ~TlsStream() override { link_->connections->add(-1); }

  void open(uv_loop_t* loop, const sockaddr_storage& remote, const sockaddr_storage* source) {
    inner_ = open_tcp_stream(loop, remote, source, this);
    flush();  // the ClientHello: libuv sends it once connected
  }

  void write(std::vector<uint8_t> bytes) override {
    if (closed_) return;
    session_->write(bytes);  // held by the session until the handshake is done
    flush();
  }

  void close() override {
    events_ = nullptr;
    if (closed_) return;
    // A write that fails at once calls on_end() from inside flush(): the guard keeps this
    // object alive until close() is done with it, and frees it then unless an outer event
    // still runs.
    Guard g(*this);
    closed_ = true;
    if (session_->handshake_done() && !session_->failed()) {
      session_->close();
      flush();
    }
    inner_->close();
    inner_ = nullptr;
  }

  std::string local_text() const override { return inner_ ? inner_->local_text() : local_; }
  std::string failure() const override { return session_->error(); }

  // StreamEvents of the TCP stream underneath.
  void on_open() override { local_ = inner_->local_text(); }

  void on_data(std::span<const uint8_t> bytes) override {
    Guard g(*this);
    plain_.clear();
    const tls::Session::Progress p = session_->feed(bytes, plain_);
    flush();
    if (p.handshake_done && !open_) {
      open_ = true;
      link_->handshakes[session_->resumed() ? 1 : 0]->inc();
      if (events_) events_->on_open();
    }
    if (!plain_.empty() && events_) events_->on_data(plain_);
    if (p.failed) {
      if (!open_) link_->handshakes[2]->inc();
      link_->report(session_->error());
      end("tls", -EPROTO);
    } else if (p.closed_by_peer) {
      end("read", 0);
    }
  }

  void on_end(const char* op, int err) override {
    Guard g(*this);
    end(op, err);
  }

 private:
  // close() called from an event this object delivers must not free it under its own feet.
  struct Guard {
    TlsStream& s;
    explicit Guard(TlsStream& t) : s(t) { ++s.depth_; }
    ~Guard() {
      if (--s.depth_ == 0 && s.closed_) delete &s;
    }
  };

  void flush() {
    std::vector<uint8_t> out = session_->take_outgoing();
    if (!out.empty() && inner_) inner_->write(std::move(out));
  }

  void end(const char* op, int err) {
    if (StreamEvents* e = events_) {
      events_ = nullptr;
      e->on_end(op, err);
    }
  }

  StreamEvents* events_;
  std::shared_ptr<const TlsLink> link_;  // outlives a reload's upstreams if need be
  std::unique_ptr<tls::Session> session_;
  Stream* inner_ = nullptr;
  std::vector<uint8_t> plain_;
  std::string local_;
  int depth_ = 0;
  bool open_ = false;
  bool closed_ = false;
};

}  // namespace

Stream* open_tls_stream(uv_loop_t* loop, const Upstream& up, const sockaddr_storage* source,
                        StreamEvents* events) {
  auto* s = new TlsStream(up, events);
  s->open(loop, up.spec().addr, source);
  return s;
}

}  // namespace coredns::plugins::forward
