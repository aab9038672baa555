#include "event_loop.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "dynamic_map_file.h"
#include "log.h"
#include "tun.h"

namespace nat64 {

namespace {
constexpr size_t kRxSize = kTunPiSize + 65536;  // a read that fills it is oversized
constexpr int kMaxReadsPerWake = 64;
constexpr int64_t kMtuCheckMs = 1000;            // Tayga reads the MTU once; we follow changes
constexpr int64_t kPoolMaintMs = 45'000;         // Tayga's pool maintenance period
constexpr int64_t kForcedSaveS = 302'400;        // at least every 3.5 days
}  // namespace

int64_t now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

EventLoop::EventLoop(const Config& cfg, AddressMapper& map, int tun_fd, int signal_fd, uint32_t tun_mtu)
    : cfg_(cfg),
      map_(map),
      tun_fd_(tun_fd),
      signal_fd_(signal_fd),
      rx_(new uint8_t[kRxSize + 64]),
      writer_([](bool ok, const std::string& err) {
        if (!ok) log_err("cannot write dynamic.map: {}", err);
      }) {
  auto s = TranslatorSettings::from(cfg);
  s.tun_mtu = tun_mtu;
  tr_ = std::make_unique<Translator>(map_, counters_, s);
  const LogFlags& l = cfg.log;
  if (l.drop || l.reject || l.icmp || l.self || l.dyn) tr_->set_logger(&logger_);
  published_.tun_mtu = tun_mtu;
  if (DynamicPool* p = map_.pool()) {
    published_.pool_size = p->capacity();
    if (p->last_saved() == 0) p->mark_saved(now_ms() / 1000);  // nothing to write yet
  }
}

void EventLoop::write_out(std::span<const OutPacket> out) {
  for (const OutPacket& p : out) {
    uint8_t pi[kTunPiSize] = {0, 0, 0, 0};
    store16(pi + 2, p.ipv6 ? kEthIpv6 : kEthIpv4);
    iovec iov[3] = {{pi, kTunPiSize},
                    {const_cast<uint8_t*>(p.head), p.head_len},
                    {const_cast<uint8_t*>(p.body), p.body_len}};
    if (::writev(tun_fd_, iov, p.body_len ? 3 : 2) < 0 && write_errors_++ % 1000 == 0)
      log_warn("write to TUN failed: {}", std::strerror(errno));
  }
}

void EventLoop::read_tun() {
  // The packet starts 4 bytes in, after the packet-information header, at a 16-byte boundary.
  uint8_t* buf = rx_.get() + 12;
  const int64_t now = now_ms();  // one clock read per wake-up is precise enough
  for (int i = 0; i < kMaxReadsPerWake; ++i) {
    ssize_t n = ::read(tun_fd_, buf, kRxSize);
    if (n < 0) {
      if (errno != EAGAIN && errno != EINTR) log_warn("read from TUN failed: {}", std::strerror(errno));
      return;
    }
    write_out(tr_->process_frame(buf, static_cast<size_t>(n), kRxSize, now));
  }
}

void EventLoop::save_dynamic_map(const char* why, bool wait) {
  DynamicPool* p = map_.pool();
  if (!p || cfg_.data_dir.empty()) return;
  const int64_t now = now_ms() / 1000;
  // The working directory is data-dir (or its chroot): a relative path works in both cases.
  // The snapshot is taken here; the disk work (fsync) happens on the writer's thread.
  writer_.submit("dynamic.map", p->serialize(now));
  p->mark_saved(now);
  log_debug("writing dynamic.map ({})", why);
  if (wait) writer_.flush();
}

void EventLoop::reload_map_file() {
  if (cfg_.map_file.empty()) return;
  std::string text;
  if (!read_file(cfg_.map_file, text)) {
    log_err("cannot read map-file {}, keeping the current maps", cfg_.map_file);
    return;
  }
  auto r = parse_map_file(text, cfg_.map_file);
  for (const auto& e : r.errors) log_err("{}", e);
  for (const auto& e : map_.set_file_maps(r.maps)) log_err("{}", e);
  log_notice("loaded {} map(s) from {}", r.maps.size(), cfg_.map_file);
}

void EventLoop::tick(int64_t now, bool force) {
  if (force || now - last_mtu_check_ >= kMtuCheckMs) {
    last_mtu_check_ = now;
    int mtu = tun_mtu(cfg_.tun_device);
    if (mtu > 0 && static_cast<uint32_t>(mtu) != tr_->settings().tun_mtu) {
      if (mtu < 1280) log_warn("TUN MTU is now {}, below the IPv6 minimum of 1280", mtu);
      else log_notice("TUN MTU changed from {} to {}", tr_->settings().tun_mtu, mtu);
      tr_->settings().tun_mtu = static_cast<uint32_t>(mtu);
      published_.tun_mtu = static_cast<uint32_t>(mtu);
    }
  }
  DynamicPool* p = map_.pool();
  if (p && (force || now - last_pool_maint_ >= kPoolMaintMs)) {
    last_pool_maint_ = now;
    const bool dyn = cfg_.log.dyn;
    p->maintain(now / 1000, [dyn](PoolEvent ev, const Lease& l) {
      if (dyn) log_info("DYN: {} {} <-> {}", pool_event_name(ev), format_v4(l.v4), format_v6(l.v6));
    });
    if (now / 1000 - p->last_saved() > kForcedSaveS) save_dynamic_map("periodic");
  }
  // New leases reach the disk within a second (Tayga: up to 45 s), so a kill -9 loses none
  // that a client has already used for long.
  if (p && p->dirty() && now / 1000 > p->last_saved()) save_dynamic_map("new assignment");
  if (p) {
    published_.pool_active = p->active_count();
    published_.pool_dormant = p->dormant_count();
    published_.pool_size = p->capacity();
  }
}

bool EventLoop::handle_signals() {
  signalfd_siginfo si;
  while (::read(signal_fd_, &si, sizeof si) == sizeof si) {
    if (si.ssi_signo == SIGHUP) {
      log_notice("SIGHUP: reloading map-file and writing dynamic.map");
      reload_map_file();
      save_dynamic_map("SIGHUP");
      continue;
    }
    log_notice("exiting on signal {}", strsignal(static_cast<int>(si.ssi_signo)));
    return false;
  }
  return true;
}

int EventLoop::run() {
  pollfd fds[2] = {{tun_fd_, POLLIN, 0}, {signal_fd_, POLLIN, 0}};
  tick(now_ms(), true);
  while (true) {
    int n = ::poll(fds, 2, static_cast<int>(kMtuCheckMs));
    if (n < 0 && errno != EINTR) {
      log_err("poll: {}", std::strerror(errno));
      save_dynamic_map("exit", true);
      return 1;
    }
    if (n > 0 && (fds[0].revents & POLLIN)) read_tun();
    if (n > 0 && (fds[0].revents & (POLLERR | POLLHUP))) {
      log_err("TUN device went away");
      save_dynamic_map("exit", true);
      return 1;
    }
    if (n > 0 && (fds[1].revents & POLLIN) && !handle_signals()) {
      save_dynamic_map("exit", true);
      return 0;
    }
    tick(now_ms(), false);
  }
}

}  // namespace nat64
