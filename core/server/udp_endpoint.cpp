#include "core/server/udp_endpoint.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "core/dns/buffers.h"
#include "core/server/kept_replies_key.h"
#include "core/server/replies.h"
#include "core/server/serve_query.h"
#include "core/server/server.h"
#include "core/server/sockets.h"
#include "core/server/worker.h"

namespace coredns::server {
namespace {

constexpr int kBatch = 32;
constexpr int kRoundsPerWakeup = 8;  // then let the loop serve other sockets
constexpr size_t kMaxDatagram = 65535;
constexpr size_t kControlSize = CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(in_pktinfo));

// Receive buffers shared by every UDP socket of the thread: a batch is processed completely
// (each query copies what it keeps) before the next recvmmsg.
struct ReceiveArena {
  std::unique_ptr<uint8_t[]> data{new uint8_t[kBatch * kMaxDatagram]};
  mmsghdr msgs[kBatch];
  iovec iov[kBatch];
  SocketAddress peers[kBatch];  // a UDP socket's peers are IPv4 or IPv6
  alignas(cmsghdr) uint8_t control[kBatch][kControlSize];

  // recvmmsg changes only the headers of the datagrams it fills: only those are set again.
  int dirty = kBatch;

  void reset() {
    for (int i = 0; i < dirty; ++i) {
      iov[i] = {data.get() + i * kMaxDatagram, kMaxDatagram};
      msgs[i].msg_hdr = {};
      msgs[i].msg_hdr.msg_name = &peers[i];
      msgs[i].msg_hdr.msg_namelen = sizeof(SocketAddress);
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_control = control[i];
      msgs[i].msg_hdr.msg_controllen = kControlSize;
      msgs[i].msg_len = 0;
    }
    dirty = 0;
  }
};

ReceiveArena& arena() {
  thread_local ReceiveArena a;
  return a;
}

}  // namespace

UdpEndpoint::UdpEndpoint(Worker& worker, int fd) : worker_(worker), fd_(fd), port_(bound_port(fd)) {
  uv_poll_init_socket(worker_.loop(), &poll_, fd_);
  poll_.data = this;
  uv_poll_start(&poll_, UV_READABLE, on_poll);
}

void UdpEndpoint::on_poll(uv_poll_t* h, int status, int events) {
  auto* self = static_cast<UdpEndpoint*>(h->data);
  if (status == 0 && (events & UV_READABLE)) self->receive();
}

void UdpEndpoint::receive() {
  ReceiveArena& a = arena();
  for (int round = 0; round < kRoundsPerWakeup && !closed_; ++round) {
    a.reset();
    int n = recvmmsg(fd_, a.msgs, kBatch, MSG_DONTWAIT, nullptr);
    // The header after the last one filled is set again too, in case a failed receive touched it.
    a.dirty = n <= 0 ? kBatch : std::min(n + 1, kBatch);
    if (n <= 0) break;
    const auto datagram = [&](int i) {
      return std::span<const uint8_t>(a.data.get() + i * kMaxDatagram, a.msgs[i].msg_len);
    };
    // Each query's bucket of kept replies is asked for before the batch is served, so that its
    // fetch overlaps the work on the queries before it (KeptReplies::prefetch): on a hit
    // workload, waiting for it was the largest single cost left (docs/benchmarks.md).
    // For a server that has kept nothing (its chains make no promise, as with log), no hash.
    uint64_t hashes[kBatch] = {};
    if (server_ && !server_->kept_nothing()) {
      for (int i = 0; i < n; ++i) {
        hashes[i] = KeptReplyKey::hash_of(datagram(i), ipv4_client(a.peers[i]));
        server_->prefetch_kept(hashes[i]);
      }
    }
    for (int i = 0; i < n && !closed_; ++i) {
      msghdr& mh = a.msgs[i].msg_hdr;
      Arrival from;
      // A longer address than the room given is reported with its full length: never copy more.
      from.peer_len = std::min<socklen_t>(mh.msg_namelen, sizeof(SocketAddress));
      std::memcpy(&from.peer, mh.msg_name, from.peer_len);
      bool got6 = false, got4 = false;
      for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
          std::memcpy(&from.pkt6, CMSG_DATA(c), sizeof(in6_pktinfo));
          got6 = true;
        } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
          std::memcpy(&from.pkt4, CMSG_DATA(c), sizeof(in_pktinfo));
          got4 = true;
        }
      }
      // A dual-stack socket sees IPv4 clients as v4-mapped and answers them with IPV6_PKTINFO.
      from.v6 = from.peer.sa.sa_family == AF_INET6;
      if (from.v6 && !got6 && got4) {
        from.pkt6 = {};
        from.pkt6.ipi6_addr.s6_addr[10] = 0xff;
        from.pkt6.ipi6_addr.s6_addr[11] = 0xff;
        std::memcpy(&from.pkt6.ipi6_addr.s6_addr[12], &from.pkt4.ipi_addr, 4);
      }
      handle(datagram(i), from, hashes[i]);
    }
    flush();
    if (n < kBatch) break;
  }
}

Endpoint UdpEndpoint::local_end(const Arrival& from) const {
  SocketAddress local{};
  if (from.v6) {
    local.in6.sin6_family = AF_INET6;
    local.in6.sin6_addr = from.pkt6.ipi6_addr;
    local.in6.sin6_port = htons(static_cast<uint16_t>(port_));
  } else {
    local.in4.sin_family = AF_INET;
    local.in4.sin_addr = from.pkt4.ipi_addr;
    local.in4.sin_port = htons(static_cast<uint16_t>(port_));
  }
  return Endpoint::from(&local.sa);
}

void UdpEndpoint::handle(std::span<const uint8_t> raw, const Arrival& from, uint64_t hash) {
  dns::MessageView query;
  if (!admit(raw, query, [&](std::vector<uint8_t> reply) { enqueue(std::move(reply), from); }))
    return;
  if (!server_) return;
  if (std::vector<uint8_t> kept; server_->answer_kept(query, from.client_ipv4(), hash, kept)) {
    enqueue(std::move(kept), from);
    return;
  }
  ++inflight_;
  ref_->enter();
  worker_.query_started();
  serve_query(server_, ref_, query, Transport::udp,
              Endpoint::from(reinterpret_cast<const sockaddr*>(&from.peer)), local_end(from),
              [this, from](Response&& resp) {
                if (resp.written() && !closed_) enqueue(std::move(resp.wire), from);
                query_done();
              });
}

void UdpEndpoint::enqueue(std::vector<uint8_t> bytes, const Arrival& to) {
  Outgoing o;
  o.bytes = std::move(bytes);
  o.peer = to.peer;
  o.peer_len = to.peer_len;
  o.v6 = to.v6;
  o.pkt6 = to.pkt6;
  o.pkt4 = to.pkt4;
  // Interfaces are chosen by routing; only the source address is pinned.
  o.pkt4.ipi_spec_dst = o.pkt4.ipi_addr;
  o.pkt4.ipi_ifindex = 0;
  if (!IN6_IS_ADDR_LINKLOCAL(&o.pkt6.ipi6_addr)) o.pkt6.ipi6_ifindex = 0;
  pending_.push_back(std::move(o));
}

void UdpEndpoint::flush() {
  size_t done = 0;
  while (done < pending_.size()) {
    mmsghdr msgs[kBatch];
    iovec iov[kBatch];
    alignas(cmsghdr) uint8_t control[kBatch][kControlSize];
    unsigned n = 0;
    for (; n < kBatch && done + n < pending_.size(); ++n) {
      Outgoing& o = pending_[done + n];
      iov[n] = {o.bytes.data(), o.bytes.size()};
      msghdr& mh = msgs[n].msg_hdr;
      mh = {};
      mh.msg_name = &o.peer;
      mh.msg_namelen = o.peer_len;
      mh.msg_iov = &iov[n];
      mh.msg_iovlen = 1;
      mh.msg_control = control[n];
      cmsghdr* c = reinterpret_cast<cmsghdr*>(control[n]);
      if (o.v6) {
        mh.msg_controllen = CMSG_SPACE(sizeof(in6_pktinfo));
        c->cmsg_level = IPPROTO_IPV6;
        c->cmsg_type = IPV6_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
        std::memcpy(CMSG_DATA(c), &o.pkt6, sizeof(in6_pktinfo));
      } else {
        mh.msg_controllen = CMSG_SPACE(sizeof(in_pktinfo));
        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
        std::memcpy(CMSG_DATA(c), &o.pkt4, sizeof(in_pktinfo));
      }
    }
    int sent = sendmmsg(fd_, msgs, n, MSG_DONTWAIT);
    // A datagram the kernel refuses (buffer full, unreachable) is lost, as UDP allows; skip it
    // rather than spin.
    done += sent > 0 ? static_cast<size_t>(sent) : 1;
  }
  for (Outgoing& o : pending_) dns::give_back(std::move(o.bytes));
  pending_.clear();
}

void UdpEndpoint::close() {
  if (closed_) return;
  closed_ = true;
  flush();
  uv_poll_stop(&poll_);
  uv_close(reinterpret_cast<uv_handle_t*>(&poll_), [](uv_handle_t* h) {
    auto* self = static_cast<UdpEndpoint*>(h->data);
    ::close(self->fd_);
    self->handle_closed_ = true;
    self->maybe_free();
  });
}

void UdpEndpoint::query_done() {
  --inflight_;
  worker_.query_finished();
  maybe_free();
}

void UdpEndpoint::maybe_free() {
  if (closed_ && handle_closed_ && inflight_ == 0) delete this;
}

}  // namespace coredns::server
