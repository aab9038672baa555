#include "core/server/query_steering.h"

#include <linux/filter.h>
#include <sys/socket.h>

#include <cstdint>
#include <vector>

namespace coredns::server {
namespace {

// The program sees the UDP payload, the DNS message (socket(7)). It hashes the octets after the
// header (12 octets, so neither the ID nor the flags count) in 32-bit words, as many as the
// datagram holds up to kWords: the question name first, then for a short name its type, class
// and EDNS. Every octet is ORed with 0x20, so names differing only in case (RFC 4343, and the
// 0x20 bits some resolvers set) hash alike. Classic BPF has no loops, so a name is hashed by its
// first 4 * kWords octets only.
constexpr uint32_t kHeaderOctets = 12;
constexpr uint32_t kWords = 8;
constexpr uint32_t kFoldCase = 0x20202020;
constexpr uint32_t kMix = 0x9E3779B1;  // an odd multiplier spreads each word over the high bits

std::vector<sock_filter> question_hash_program(uint32_t count) {
  std::vector<sock_filter> code;
  const auto op = [&](uint16_t c, uint32_t k) { code.push_back(BPF_STMT(c, k)); };
  std::vector<size_t> short_datagram_jumps;
  op(BPF_LD | BPF_IMM, 0);
  op(BPF_ST, 0);  // M[0]: the hash so far
  for (uint32_t w = 0; w < kWords; ++w) {
    const uint32_t offset = kHeaderOctets + 4 * w;
    op(BPF_LD | BPF_W | BPF_LEN, 0);
    short_datagram_jumps.push_back(code.size());
    code.push_back(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, offset + 4, 0, 0));  // else: done
    op(BPF_LD | BPF_W | BPF_ABS, offset);
    op(BPF_ALU | BPF_OR | BPF_K, kFoldCase);
    op(BPF_LDX | BPF_MEM, 0);
    op(BPF_ALU | BPF_XOR | BPF_X, 0);
    op(BPF_ALU | BPF_MUL | BPF_K, kMix);
    op(BPF_ST, 0);
  }
  const size_t done = code.size();
  op(BPF_LD | BPF_MEM, 0);
  op(BPF_ALU | BPF_RSH | BPF_K, 16);
  op(BPF_ALU | BPF_MOD | BPF_K, count);
  op(BPF_RET | BPF_A, 0);
  // A jump's offset counts from the instruction after it; each is well under 255.
  for (size_t at : short_datagram_jumps) code[at].jf = static_cast<uint8_t>(done - at - 1);
  return code;
}

}  // namespace

bool steer_by_question(int fd, int count) {
  std::vector<sock_filter> code = question_hash_program(static_cast<uint32_t>(count));
  sock_fprog program{static_cast<unsigned short>(code.size()), code.data()};
  return setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &program, sizeof program) == 0;
}

}  // namespace coredns::server
