// libFuzzer target "nat64_gso": a frame as the TUN delivers it with offloads on (packet
// information, virtio-net header, packet) through FrameTranslator: the partial-checksum and GSO
// paths of Translator::process and, for super-packets it hands back, the GSO segmenter; then the
// segmenter alone on the same packet and header, as it is reached for any packet.
#include <array>
#include <cstring>
#include <memory>

#include "nat64/frame_translator.h"
#include "nat64/gso_segment.h"
#include "nat64_fuzz_util.h"

namespace {

using namespace nat64;

class Check : public FrameSink {
 public:
  void send(std::span<const OutPacket> out) override { fuzz::check_output(out); }
};

// Segments must each be a whole packet no larger than what they were cut from.
class Segments : public SegmentSink {
 public:
  explicit Segments(size_t limit) : limit_(limit) {}
  void segment(uint8_t* pkt, size_t len) override {
    if (len > limit_ || len < 20) std::abort();
    volatile uint8_t sum = 0;
    for (size_t i = 0; i < len; ++i) sum = static_cast<uint8_t>(sum + pkt[i]);
  }

 private:
  size_t limit_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const size_t hdr = FrameTranslator::kPiSize + vnet::kSize;
  if (size < hdr + 1 || size > FrameTranslator::kMaxPacket) return 0;
  const uint8_t ctl = data[size - 1];
  auto [net, now_ms] = fuzz::fresh_net(ctl);
  // Kept like the translators (nat64_fuzz_util.h): its only state is a scratch buffer.
  static std::array<std::unique_ptr<FrameTranslator>, 64> frame_translators;
  auto& frames = frame_translators[ctl & 63];
  if (!frames) frames = std::make_unique<FrameTranslator>(net.tr, true, (ctl & 32) != 0);
  const size_t buf_size = FrameTranslator::kMaxPacket + hdr + 1;
  static std::vector<uint8_t> frame(buf_size);
  std::memcpy(frame.data(), data, size);
  // As zeroed as a new buffer, so what an earlier input left there cannot matter.
  std::memset(frame.data() + size, 0, buf_size - size);
  Check sink;
  frames->handle(frame.data(), size, buf_size, now_ms, sink);

  std::memcpy(frame.data(), data, size);
  const bool ipv6 = size > hdr && (data[hdr] >> 4) == 6;
  const VnetHdr v = load_vnet(frame.data() + FrameTranslator::kPiSize, (ctl & 32) != 0);
  static std::vector<uint8_t> buf(65536 + 64);
  Segments seg(size - hdr);
  gso_segment(frame.data() + hdr, size - hdr, ipv6, v, buf.data(), buf.size(), seg);
  return 0;
}
