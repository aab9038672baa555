#include "plugins/forward/stream_conn.h"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>

#include "core/dns/header.h"
#include "core/util/errno_text.h"
#include "plugins/forward/match.h"
#include "plugins/forward/random.h"

namespace coredns::plugins::forward {

StreamConn::StreamConn(WorkerTransport& t, size_t index) : t_(t), index_(index) {
  created_ = last_used_ = Clock::now();
  const auto& src = t.shared().config.source_address;
  const Upstream& up = *t.shared().upstreams[index];
  stream_ = up.tls() ? open_tls_stream(t.loop(), up, src ? &*src : nullptr, this)
                     : open_tcp_stream(t.loop(), up.spec().addr, src ? &*src : nullptr, this);
}

void StreamConn::queue(Completion* c) {
  c->id_ = fresh_id(pending_);
  dns::store16(c->query_.data(), c->id_);
  c->conn_ = this;
  pending_.emplace(c->id_, c);
  append_frame(out_, c->query_);
  last_used_ = Clock::now();
  if (!dirty_) {
    dirty_ = true;
    t_.dirty_streams_.push_back(this);
  }
}

void StreamConn::release(Completion* c) {
  t_.disarm(c);
  pending_.erase(c->id_);
  c->conn_ = nullptr;
}

void StreamConn::send() {
  dirty_ = false;
  if (dead_ || out_.empty()) return;
  std::vector<uint8_t> bytes;
  bytes.swap(out_);
  stream_->write(std::move(bytes));
}

void StreamConn::close() {
  if (dead_) return;
  dead_ = true;
  // Queued for the next flush but ended first (a dial refused before the flush ran): the flush
  // must not find it once drain() freed it.
  if (dirty_) {
    auto& dirty = t_.dirty_streams_;
    dirty.erase(std::remove(dirty.begin(), dirty.end(), this), dirty.end());
    dirty_ = false;
  }
  stream_->close();
  t_.bury(this);
}

void StreamConn::on_data(std::span<const uint8_t> bytes) {
  ++t_.draining_;
  last_used_ = Clock::now();
  decoder_.feed(bytes, [this](std::span<const uint8_t> msg) { receive(msg); });
  --t_.draining_;
  t_.drain();
}

void StreamConn::on_end(const char* op, int err) {
  ++t_.draining_;
  const std::string& remote = t_.shared().upstreams[index_]->text();
  std::string text;
  if (std::strcmp(op, "dial") == 0)
    text = fmt::format("dial tcp {}: connect: {}", remote, go_errno_text(-err));
  else if (std::strcmp(op, "tls") == 0)
    text = fmt::format("tls {}->{}: {}", local_.empty() ? stream_->local_text() : local_, remote,
                       stream_->failure());
  else if (err == 0)
    text = fmt::format("read tcp {}->{}: EOF", local_, remote);
  else
    text = fmt::format("{} tcp {}->{}: {}: {}", op, local_, remote, op, go_errno_text(-err));
  // Only the queries on this connection fail; the forward loop tries them again elsewhere.
  while (!pending_.empty()) {
    Completion* c = pending_.begin()->second;
    release(c);
    t_.finish(c, false, text);
  }
  auto& pool = t_.pools_[index_].streams;
  pool.erase(std::remove(pool.begin(), pool.end(), this), pool.end());
  close();
  --t_.draining_;
  t_.drain();
}

bool StreamConn::stale(Clock::time_point now, const ForwardConfig& cfg) const {
  return now - last_used_ > cfg.expire ||
         (cfg.max_age > Duration::zero() && now - created_ > cfg.max_age);
}

void StreamConn::receive(std::span<const uint8_t> msg) {
  if (msg.size() < dns::kHeaderSize) return;
  auto it = pending_.find(dns::load16(msg.data()));
  if (it == pending_.end()) return;  // timed out, or never ours
  Completion* c = it->second;
  const Match m = match_reply(c->query_, msg);
  if (m == Match::ignore) return;
  release(c);
  if (m == Match::mismatch)
    t_.finish(c, false, fmt::format("dns: reply from {} answers another question",
                                    t_.shared().upstreams[index_]->text()));
  else
    t_.finish_reply(c, msg);
}

}  // namespace coredns::plugins::forward
