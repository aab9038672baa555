#pragma once
// DNS over a byte stream (RFC 1035 §4.2.2, RFC 7766 §8): every message is preceded by its
// two-byte length. The decoder takes whatever the stream delivers, in pieces of any size, and
// hands out whole messages; the connection that owns it matches them to queries by ID, in any
// order (RFC 7766 §7).
#include <cstdint>
#include <span>
#include <vector>

namespace coredns::plugins::forward {

class FrameDecoder {
 public:
  // Appends `bytes` and calls `on_message(std::span<const uint8_t>)` for each complete
  // message, in stream order. The span is valid during the call only.
  template <typename F>
  void feed(std::span<const uint8_t> bytes, F&& on_message) {
    buf_.insert(buf_.end(), bytes.begin(), bytes.end());
    size_t off = 0;
    while (buf_.size() - off >= 2) {
      const size_t len = (size_t{buf_[off]} << 8) | buf_[off + 1];
      if (buf_.size() - off - 2 < len) break;
      on_message(std::span<const uint8_t>(buf_.data() + off + 2, len));
      off += 2 + len;
    }
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<long>(off));
  }
  // Bytes of an incomplete message held back.
  size_t pending() const { return buf_.size(); }

 private:
  std::vector<uint8_t> buf_;
};

// Appends `msg` with its length prefix to `out`.
inline void append_frame(std::vector<uint8_t>& out, std::span<const uint8_t> msg) {
  out.push_back(static_cast<uint8_t>(msg.size() >> 8));
  out.push_back(static_cast<uint8_t>(msg.size()));
  out.insert(out.end(), msg.begin(), msg.end());
}

}  // namespace coredns::plugins::forward
