#include "nat64/frame_translator.h"

#include "nat64/gso_segment.h"

namespace nat64 {

namespace {
constexpr uint16_t kEthIpv4 = 0x0800, kEthIpv6 = 0x86dd;
constexpr size_t kSegmentBufSize = 65536 + 64;
}  // namespace

// Translates each segment of a super-packet as it is cut, and passes the result on.
class FrameTranslator::Segments : public SegmentSink {
 public:
  Segments(Translator& tr, bool ipv6, int64_t now_ms, FrameSink& out) : tr_(tr), ipv6_(ipv6), now_(now_ms), out_(out) {}
  void segment(uint8_t* pkt, size_t len) override { out_.send(tr_.process(pkt, len, ipv6_, now_)); }

 private:
  Translator& tr_;
  bool ipv6_;
  int64_t now_;
  FrameSink& out_;
};

FrameTranslator::FrameTranslator(Translator& tr, bool vnet_hdr, bool vnet_le)
    : tr_(tr), vnet_(vnet_hdr), le_(vnet_le), segment_buf_(vnet_hdr ? new uint8_t[kSegmentBufSize] : nullptr) {}

void FrameTranslator::handle(uint8_t* frame, size_t len, size_t buf_size, int64_t now_ms, FrameSink& sink) {
  Counters& c = tr_.counters();
  const size_t hdr = header_size();
  if (len >= buf_size) return c.drop(DropReason::oversized);
  if (len < hdr) return c.drop(DropReason::truncated);
  const uint16_t eth = load16(frame + 2);
  if (eth != kEthIpv4 && eth != kEthIpv6) return c.drop(DropReason::unknown_protocol_family);
  const bool ipv6 = eth == kEthIpv6;
  uint8_t* pkt = frame + hdr;
  const size_t n = len - hdr;
  VnetHdr v;
  if (vnet_) {
    v = load_vnet(frame + kPiSize, le_);
    if (n > tr_.settings().tun_mtu) c.reads_over_mtu.add();
  }
  auto out = tr_.process(pkt, n, ipv6, now_ms, v);
  if (!tr_.needs_segmentation()) return sink.send(out);
  Segments each(tr_, ipv6, now_ms, sink);
  if (gso_segment(pkt, n, ipv6, v, segment_buf_.get(), kSegmentBufSize, each)) c.gso_segmented.add();
  else c.drop(DropReason::bad_offload);
}

void FrameTranslator::frame_header(const OutPacket& p, uint8_t* out) const {
  out[0] = out[1] = 0;
  store16(out + 2, p.ipv6 ? kEthIpv6 : kEthIpv4);
  if (vnet_) store_vnet(out + kPiSize, p.vnet, le_);
}

}  // namespace nat64
