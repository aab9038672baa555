// TcpStream: the Stream over libuv's TCP handle (connect, reads into one buffer per stream,
// writes as queued vectors).
#include <memory>

#include "core/async/loop.h"
#include "plugins/forward/stream.h"
#include "plugins/forward/to_address.h"

namespace coredns::plugins::forward {
namespace {

class TcpStream final : public Stream {
 public:
  TcpStream(uv_loop_t* loop, StreamEvents* events) : events_(events) {
    uv_tcp_init(loop, &tcp_);
    // Pipelined queries are small writes while earlier ones are unanswered: Nagle's algorithm
    // would hold each behind the peer's delayed ACK (40 ms on Linux).
    uv_tcp_nodelay(&tcp_, 1);
    tcp_.data = this;
    connect_.data = this;
  }

  bool open(const sockaddr_storage& remote, const sockaddr_storage* source) {
    if (source && source->ss_family == remote.ss_family) {
      const int r = uv_tcp_bind(&tcp_, reinterpret_cast<const sockaddr*>(source), 0);
      if (r != 0) return fail_soon(r);
    }
    // The sockaddr keeps an IPv6 scope id, so link-local upstreams need nothing more.
    const int r = uv_tcp_connect(&connect_, &tcp_, reinterpret_cast<const sockaddr*>(&remote),
                                 &TcpStream::on_connect);
    if (r != 0) return fail_soon(r);
    return true;
  }

  void write(std::vector<uint8_t> bytes) override {
    auto* w = new WriteReq{{}, std::move(bytes)};
    w->req.data = w;
    uv_buf_t buf = uv_buf_init(reinterpret_cast<char*>(w->bytes.data()),
                               static_cast<unsigned>(w->bytes.size()));
    // libuv queues writes made while connecting and sends them once connected.
    if (uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&tcp_), &buf, 1, &TcpStream::on_write) != 0) {
      delete w;
      end("write", UV_EPIPE);
    }
  }

  void close() override {
    events_ = nullptr;
    if (idle_) {
      uv_idle_stop(idle_);
      async::close_and_delete(idle_);
      idle_ = nullptr;
    }
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp_),
             [](uv_handle_t* h) { delete static_cast<TcpStream*>(h->data); });
  }

  std::string local_text() const override {
    sockaddr_storage ss{};
    int len = sizeof ss;
    if (uv_tcp_getsockname(&tcp_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "";
    return address_text(ss);
  }

 private:
  struct WriteReq {
    uv_write_t req;
    std::vector<uint8_t> bytes;
  };

  // An error before the loop ran is reported from the loop, like any other.
  bool fail_soon(int err) {
    pending_error_ = err;
    auto* idle = new uv_idle_t;
    idle->data = this;
    uv_idle_init(tcp_.loop, idle);
    uv_idle_start(idle, [](uv_idle_t* i) {
      auto* self = static_cast<TcpStream*>(i->data);
      uv_idle_stop(i);
      async::close_and_delete(i);
      self->idle_ = nullptr;
      self->end("dial", self->pending_error_);
    });
    idle_ = idle;
    return true;
  }

  void end(const char* op, int err) {
    if (StreamEvents* e = events_) {
      events_ = nullptr;
      e->on_end(op, err);
    }
  }

  static void on_connect(uv_connect_t* req, int status) {
    auto* self = static_cast<TcpStream*>(req->data);
    if (!self->events_) return;
    if (status != 0) {
      self->end("dial", status);
      return;
    }
    uv_read_start(
        reinterpret_cast<uv_stream_t*>(&self->tcp_),
        [](uv_handle_t* h, size_t, uv_buf_t* buf) {
          auto* s = static_cast<TcpStream*>(h->data);
          *buf = uv_buf_init(s->rbuf_, sizeof s->rbuf_);
        },
        &TcpStream::on_read);
    self->events_->on_open();
  }

  static void on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
    auto* self = static_cast<TcpStream*>(s->data);
    if (!self->events_) return;
    if (n > 0) {
      self->events_->on_data({reinterpret_cast<const uint8_t*>(buf->base), static_cast<size_t>(n)});
    } else if (n < 0) {
      uv_read_stop(s);
      self->end("read", n == UV_EOF ? 0 : static_cast<int>(n));
    }
  }

  static void on_write(uv_write_t* req, int status) {
    std::unique_ptr<WriteReq> w(static_cast<WriteReq*>(req->data));
    auto* self = static_cast<TcpStream*>(req->handle->data);
    if (status != 0 && status != UV_ECANCELED) self->end("write", status);
  }

  uv_tcp_t tcp_{};
  uv_connect_t connect_{};
  StreamEvents* events_;
  uv_idle_t* idle_ = nullptr;
  int pending_error_ = 0;
  char rbuf_[16384];
};

}  // namespace

Stream* open_tcp_stream(uv_loop_t* loop, const sockaddr_storage& remote,
                        const sockaddr_storage* source, StreamEvents* events) {
  auto* s = new TcpStream(loop, events);
  s->open(remote, source);
  return s;
}

}  // namespace coredns::plugins::forward
