#include "nat64/event_loop.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "nat64/dynamic_map_file.h"
#include "nat64/log.h"

namespace nat64 {

namespace {
constexpr int64_t kMtuCheckMs = 1000;     // Tayga reads the MTU once; we follow changes
constexpr int64_t kPoolMaintMs = 45'000;  // Tayga's pool maintenance period
constexpr int64_t kForcedSaveS = 302'400; // at least every 3.5 days
}  // namespace

int64_t now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

EventLoop::EventLoop(const Config& cfg, AddressMapper& map, const TunQueues& tun, int signal_fd, uint32_t tun_mtu)
    : cfg_(cfg),
      map_(map),
      signal_fd_(signal_fd),
      tun_mtu_(tun_mtu),
      writer_([](bool ok, const std::string& err) {
        if (!ok) log_err("cannot write dynamic.map: {}", err);
      }) {
  control_.tun_mtu = tun_mtu;
  control_.wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  auto s = TranslatorSettings::from(cfg, tun_mtu);
  // The ICMP error rate limit is the whole translator's: each worker gets its share.
  const uint32_t n = static_cast<uint32_t>(tun.fds.size());
  if (s.icmp_rate) s.icmp_rate = std::max<uint32_t>(1, (s.icmp_rate + n - 1) / n);
  s.icmp_burst = std::max<uint32_t>(1, (s.icmp_burst + n - 1) / n);
  const LogFlags& l = cfg.log;
  PacketLogger* logger = (l.drop || l.reject || l.icmp || l.self || l.dyn) ? &logger_ : nullptr;
  Worker::install_wake_handler();
  for (size_t i = 0; i < tun.fds.size(); ++i)
    workers_.push_back(std::make_unique<Worker>(static_cast<int>(i), tun.fds[i], tun.vnet_hdr, tun.vnet_le, tun.uring,
                                                map_.state(), s, control_, logger));
  published_.tun_mtu = tun_mtu;
  if (SharedPool* p = map_.pool()) {
    p->locked([&](DynamicPool& d) {
      published_.pool_size = d.capacity();
      if (d.last_saved() == 0) d.mark_saved(now_ms() / 1000);  // nothing to write yet
    });
  }
}

EventLoop::~EventLoop() {
  stop_workers();
  if (control_.wake_fd >= 0) ::close(control_.wake_fd);
}

std::vector<const Counters*> EventLoop::counters() const {
  std::vector<const Counters*> v;
  for (const auto& w : workers_) v.push_back(&w->counters());
  return v;
}

void EventLoop::stop_workers() {
  control_.stop = true;
  for (auto& w : workers_) w->stop();
}

void EventLoop::save_dynamic_map(const char* why, bool wait) {
  SharedPool* p = map_.pool();
  if (!p || cfg_.data_dir.empty()) return;
  const int64_t now = now_ms() / 1000;
  // The working directory is data-dir (or its chroot): a relative path works in both cases.
  // The snapshot is taken here; the disk work (fsync) happens on the writer's thread.
  std::string text = p->locked([&](DynamicPool& d) {
    d.mark_saved(now);
    return d.serialize(now);
  });
  writer_.submit("dynamic.map", std::move(text));
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
    if (mtu > 0 && static_cast<uint32_t>(mtu) != tun_mtu_) {
      if (mtu < 1280) log_warn("TUN MTU is now {}, below the IPv6 minimum of 1280", mtu);
      else log_notice("TUN MTU changed from {} to {}", tun_mtu_, mtu);
      tun_mtu_ = static_cast<uint32_t>(mtu);
      control_.tun_mtu = tun_mtu_;
      published_.tun_mtu = tun_mtu_;
    }
    map_.reclaim();  // static maps replaced by a reload, once every worker has moved on
  }
  SharedPool* p = map_.pool();
  if (!p) return;
  const int64_t now_s = now / 1000;
  if (force || now - last_pool_maint_ >= kPoolMaintMs) {
    last_pool_maint_ = now;
    const bool dyn = cfg_.log.dyn;
    const bool overdue = p->modify([&](DynamicPool& d) {
      d.maintain(now_s, [dyn](PoolEvent ev, const Lease& l) {
        if (dyn) log_info("DYN: {} {} <-> {}", pool_event_name(ev), format_v4(l.v4), format_v6(l.v6));
      });
      return now_s - d.last_saved() > kForcedSaveS;
    });
    if (overdue) save_dynamic_map("periodic");
  }
  // New leases reach the disk within a second (Tayga: up to 45 s), so a kill -9 loses none
  // that a client has already used for long.
  const bool changed = p->locked([&](DynamicPool& d) {
    published_.pool_active = d.active_count();
    published_.pool_dormant = d.dormant_count();
    published_.pool_size = d.capacity();
    return d.dirty() && now_s > d.last_saved();
  });
  if (changed) save_dynamic_map("new assignment");
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
  for (auto& w : workers_) w->start();
  pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {control_.wake_fd, POLLIN, 0}};
  tick(now_ms(), true);
  int rc = 0;
  while (true) {
    int n = ::poll(fds, 2, static_cast<int>(kMtuCheckMs));
    if (n < 0 && errno != EINTR) {
      log_err("poll: {}", std::strerror(errno));
      rc = 1;
      break;
    }
    if (control_.failed) {
      log_err("TUN device went away");
      rc = 1;
      break;
    }
    if (n > 0 && (fds[0].revents & POLLIN) && !handle_signals()) break;
    tick(now_ms(), false);
  }
  stop_workers();
  save_dynamic_map("exit", true);
  return rc;
}

}  // namespace nat64
