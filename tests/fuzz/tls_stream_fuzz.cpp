// libFuzzer target "tls_stream": DNS messages over a TLS session (RFC 7858), the way forward's
// TlsStream and StreamConn carry them: length-prefixed messages (RFC 7766 §8) written into a
// client core/tls Session, the ciphertext delivered to a server Session in pieces whose sizes
// the input chooses (down to every byte boundary), the plaintext that comes out framed by
// FrameDecoder, and every message echoed back the same way. Invariant: both ends decode exactly
// the messages sent, in order, and neither session fails. In garbage mode the input itself is
// fed to a server as if it were a client's handshake: the session may fail but never crash nor
// hand out plaintext.
//
// Input layout (missing bytes read as zero):
//   [ctl] bit 0: garbage mode (the rest is the "ClientHello")
//   [count] 1 + count % 8 messages, each [length: 2] (mod 2048) bytes of a fixed pattern
//   [split sizes...] each byte b delivers 1 + b bytes of ciphertext, cycled; none: 1 byte
// Certificates: tests/support/tls_certs.h's set, made at start-up. Handshakes
// after the first resume the session (no public-key work), so runs stay fast.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "core/tls/tls.h"
#include "plugins/forward/framing.h"
#include "tests/support/tls_certs.h"

namespace {

using namespace coredns;
using plugins::forward::FrameDecoder;
using plugins::forward::append_frame;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "tls_stream invariant violated: %s\n", what);
  std::abort();
}

struct Setup {
  std::shared_ptr<const tls::ClientConfig> client;
  std::shared_ptr<const tls::ServerConfig> server;
  std::shared_ptr<tls::ResumptionCache> resume = std::make_shared<tls::ResumptionCache>();
};
Setup* setup = nullptr;

struct Splitter {
  std::vector<uint8_t> sizes;
  size_t next = 0;
  size_t piece() {
    if (sizes.empty()) return 1;
    const size_t s = 1 + size_t{sizes[next]};
    next = (next + 1) % sizes.size();
    return s;
  }
};

// Moves what `from` has to send into `to`, piece by piece; plaintext goes to `frames`.
void carry(tls::Session& from, tls::Session& to, Splitter& split, FrameDecoder& frames,
           std::vector<std::vector<uint8_t>>& got) {
  std::vector<uint8_t> wire = from.take_outgoing();
  std::vector<uint8_t> plain;
  for (size_t i = 0; i < wire.size();) {
    const size_t n = std::min(split.piece(), wire.size() - i);
    plain.clear();
    if (to.feed(std::span(wire).subspan(i, n), plain).failed) fail(to.error().c_str());
    frames.feed(plain, [&](std::span<const uint8_t> m) { got.emplace_back(m.begin(), m.end()); });
    i += n;
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  using testing::TlsCerts;
  setup = new Setup;
  tls::ClientOptions co;
  co.ca_file = TlsCerts::path("ca.pem");
  co.server_name = "dns.test";
  auto c = tls::make_client_config(co);
  auto s = tls::make_server_config({TlsCerts::path("server.pem"), TlsCerts::path("server.key"), "", {}});
  if (!c || !s) std::abort();
  setup->client = c.value;
  setup->server = s.value;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  size_t pos = 0;
  auto u8 = [&]() -> uint8_t { return pos < size ? data[pos++] : 0; };
  const uint8_t ctl = u8();

  auto server = tls::Session::server(setup->server);
  if (ctl & 1) {
    std::vector<uint8_t> plain;
    server->feed(std::span(data + pos, size - pos), plain);
    if (!plain.empty()) fail("plaintext from a session that never completed a handshake");
    return 0;
  }

  const size_t count = 1 + u8() % 8;
  std::vector<std::vector<uint8_t>> sent(count);
  for (size_t i = 0; i < count; ++i) {
    const size_t len = ((size_t{u8()} << 8) | u8()) % 2048;
    sent[i].resize(len);
    for (size_t j = 0; j < len; ++j) sent[i][j] = static_cast<uint8_t>(j * 31 + i);
  }
  Splitter split{std::vector<uint8_t>(data + pos, data + size)};

  auto client = tls::Session::client(setup->client, "127.0.0.1", setup->resume);
  // Queries written before the handshake, as a new pooled connection does.
  std::vector<uint8_t> out;
  for (const auto& m : sent) append_frame(out, m);
  client->write(out);

  FrameDecoder at_server, at_client;
  std::vector<std::vector<uint8_t>> got_server, got_client, none;
  for (int round = 0; round < 20 && got_client.size() < count; ++round) {
    const size_t before = got_server.size();
    carry(*client, *server, split, at_server, got_server);
    // The server echoes every message it decoded.
    std::vector<uint8_t> echo;
    for (size_t i = before; i < got_server.size(); ++i) append_frame(echo, got_server[i]);
    if (!echo.empty()) server->write(echo);
    carry(*server, *client, split, at_client, got_client);
  }
  if (!client->handshake_done() || !server->handshake_done()) fail("handshake did not finish");
  if (got_server != sent) fail("the server decoded other messages than were sent");
  if (got_client != sent) fail("the client decoded other messages than were echoed");
  if (at_server.pending() != 0 || at_client.pending() != 0) fail("bytes left in a decoder");
  return 0;
}
