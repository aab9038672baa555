// nat64: a drop-in replacement for Tayga (same tayga.conf, command line and data-dir), with
// the RFC 7915 / RFC 7757 fixes listed in plugins/nat64/README.md.
#include <cerrno>
#include <csignal>
#include <cstring>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>
#include <linux/capability.h>

#include "nat64/address_class.h"
#include "nat64/cli.h"
#include "nat64/config.h"
#include "core/util/capabilities.h"
#include "core/util/cpu.h"
#include "nat64/daemon.h"
#include "nat64/dynamic_map_file.h"
#include "nat64/event_loop.h"
#include "nat64/log.h"
#include "nat64/metrics_server.h"
#include "nat64/metrics_text.h"
#include "nat64/netlink.h"
#include "nat64/program.h"
#include "nat64/tun.h"
#include "nat64/worker.h"

using namespace nat64;

namespace {

int fail(const std::string& msg) {
  log_err("{}", msg);
  return 1;
}

void print_stderr(const std::string& s) { (void)!::write(STDERR_FILENO, s.data(), s.size()); }

void log_startup(const Config& c, int mtu, const TunQueues& tun, int wanted) {
  log_notice("starting nat64 (Tayga-compatible NAT64/SIIT translator)");
  log_info("Using tun device {} with MTU {}", c.tun_device, mtu);
  log_info("Workers: {} ({} device){}", tun.fds.size(), tun.multi_queue ? "multi-queue" : "single-queue",
           static_cast<int>(tun.fds.size()) < wanted ? fmt::format(", {} asked for", wanted) : std::string());
  log_info("TUN I/O: {}", tun.uring ? "io_uring (batched)" : "read/write (one system call per packet)");
  if (tun.vnet_hdr) log_info("Offloads: {}", tun_offload_names(tun.offloads));
  else log_info("Offloads: off");
  if (c.tcp_mss_clamp.automatic) log_info("TCP MSS clamp: TUN MTU - 60");
  else if (c.tcp_mss_clamp.value) log_info("TCP MSS clamp: {}", c.tcp_mss_clamp.value);
  log_info("TAYGA's IPv4 address: {}", format_v4(*c.ipv4_addr));
  log_info("TAYGA's IPv6 address: {}", format_v6(*c.ipv6_addr));
  if (c.prefix) log_info("NAT64 prefix: {}/{}", format_v6(c.prefix->addr), c.prefix->len);
  if (c.dynamic_pool) log_info("Dynamic pool: {}/{}", format_v4(c.dynamic_pool->addr), c.dynamic_pool->len);
  for (const auto& m : c.maps)
    log_info("Static map: {}/{} <-> {}/{}", format_v4(m.v4.addr), m.v4.len, format_v6(m.v6.addr), m.v6.len);
  if (c.prefix && is_well_known_prefix(*c.prefix) && c.wkpf_strict)
    log_notice("Note: traffic between IPv6 hosts and non-global IPv4 addresses (e.g. 64:ff9b::10.0.0.0/104) is "
               "refused (RFC 6052 section 3.1). Use a network-specific prefix such as 64:ff9b:1::/96 to reach them.");
  if (c.dynamic_pool && c.data_dir.empty())
    log_warn("Warning: no data-dir specified, dynamic map database will not be saved");
}

// tayga.conf `tun-io`, overridden by the environment's NAT64_TUN_IO (tests force each path):
// `auto` takes io_uring when the kernel allows it and says why not otherwise.
bool choose_tun_io(const Config& c, TunQueues& tun, std::string& err) {
  TunIo want = c.tun_io;
  if (const char* env = std::getenv("NAT64_TUN_IO"); env && *env) {
    auto v = parse_tun_io(env);
    if (!v) {
      err = fmt::format("NAT64_TUN_IO expects auto, uring or readwrite, got '{}'", env);
      return false;
    }
    want = *v;
  }
  if (want == TunIo::readwrite) return true;
  std::string why;
  tun.uring = Worker::uring_supported(tun.fds[0], why);
  if (tun.uring) return true;
  if (want == TunIo::uring) {
    err = fmt::format("tun-io uring: io_uring unavailable: {}", why);
    return false;
  }
  log_notice("io_uring unavailable ({}): one read and one write per packet", why);
  return true;
}

// tayga.conf `workers`: absent, one per usable CPU; 0 (Tayga's classic single thread) or 1, one.
int worker_count(const Config& c) {
  if (!c.workers) return std::min(coredns::util::usable_cpus(), 64);
  return std::max(*c.workers, 1);
}

// Loads <data-dir>/dynamic.map (the working directory is data-dir by now).
void load_dynamic_map(AddressMapper& map, const Config& c) {
  std::string text;
  if (c.data_dir.empty() || !read_file("dynamic.map", text)) return;
  SharedPool* pool = map.pool();
  if (!pool) {
    // apalrd/tayga crashes here; a data-dir from an earlier pool setup is simply not used.
    log_notice("dynamic.map in {} ignored: no dynamic-pool configured", c.data_dir);
    return;
  }
  auto st = pool->modify([&](DynamicPool& p) {
    auto r = p.load(text, now_ms() / 1000, [&](const V6& a) { return map.v6_free_for_pool(a); });
    p.mark_saved(now_ms() / 1000);
    return r;
  });
  for (const auto& n : st.notices) log_notice("{}", n);
  log_info("Loaded {} dynamic maps from {}/dynamic.map", st.loaded, c.data_dir);
}

}  // namespace

int nat64::run_nat64(int argc, char** argv) {
  coredns::util::take_file_capability(CAP_NET_ADMIN, CAP_NET_BIND_SERVICE);
  std::vector<std::string> args(argv + 1, argv + argc);
  auto cli = parse_cli(args);
  const std::string prog = "nat64";
  if (!cli.error.empty()) {
    print_stderr(fmt::format("{}: {}\n{}", prog, cli.error, usage(prog)));
    return 1;
  }
  CliOptions& o = cli.opts;
  if (o.help) {
    (void)!::write(STDOUT_FILENO, usage(prog).data(), usage(prog).size());
    return 0;
  }
  const bool foreground = o.debug || o.nodetach || o.mktun || o.rmtun;
  LogTarget target = o.log_target;
  if (target == LogTarget::automatic) target = (o.debug || o.mktun || o.rmtun) ? LogTarget::stdout_ : LogTarget::syslog;
  log_init(target, o.debug);

  auto cr = load_config(o.config, std::getenv("STATE_DIRECTORY"));
  for (const auto& w : cr.warnings) log_warn("Warning: {}", w);
  if (!cr.ok()) {
    for (const auto& e : cr.errors) {
      log_err("Error: {}", e);
      if (target == LogTarget::syslog) print_stderr(fmt::format("{}: {}\n", prog, e));
    }
    return 1;
  }
  Config cfg = std::move(cr.config);
  if (!o.metrics_addr.empty()) cfg.metrics_addr = o.metrics_addr;

  std::string err;
  if (o.mktun || o.rmtun) {
    if (!tun_set_persistent(cfg.tun_device, o.mktun, err)) return fail(err);
    log_notice("{} persistent TUN device {}", o.mktun ? "Created" : "Removed", cfg.tun_device);
    return 0;
  }

  Identity id;
  if (!resolve_identity(o.user, o.group, id, err)) return fail(err);
  if (o.chroot && cfg.data_dir.empty()) return fail("--chroot needs a data-dir in the config file");
  if (!cfg.data_dir.empty()) {
    if (::mkdir(cfg.data_dir.c_str(), 0755) != 0 && errno != EEXIST)
      return fail(fmt::format("cannot create data-dir {}: {}", cfg.data_dir, std::strerror(errno)));
    if (id.set_uid) (void)!::chown(cfg.data_dir.c_str(), id.uid, id.gid);
    if (::chdir(cfg.data_dir.c_str()) != 0)
      return fail(fmt::format("cannot chdir to data-dir {}: {}", cfg.data_dir, std::strerror(errno)));
  }

  AddressMapper map(cfg);
  if (!cfg.map_file.empty()) {
    std::string text;
    if (!read_file(cfg.map_file, text)) return fail(fmt::format("cannot read map-file {}", cfg.map_file));
    auto r = parse_map_file(text, cfg.map_file);
    for (const auto& e : r.errors) log_err("{}", e);
    for (const auto& e : map.set_file_maps(r.maps)) log_err("{}", e);
  }

  int ready_fd = -1;
  if (!foreground && !daemonize(ready_fd, err)) return fail(err);
  if (!o.pidfile.empty() && !write_pidfile(o.pidfile, err)) return fail(err);
  if (ready_fd >= 0) ::close(ready_fd);

  const int wanted_workers = worker_count(cfg);
  TunQueues tun;
  if (!tun_open(cfg.tun_device, wanted_workers, cfg.offload, tun, err)) return fail(err);
  // Workers block in read(); the control thread never reads the TUN.
  for (int fd : tun.fds) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  if (!choose_tun_io(cfg, tun, err)) return fail(err);
  const int mtu = tun_mtu(cfg.tun_device);
  if (mtu < 1280) return fail(fmt::format("MTU of {} is {}, below the IPv6 minimum of 1280", cfg.tun_device, mtu));
  if (cfg.tun_up && !tun_set_up(cfg.tun_device, err)) return fail(err);
  const int ifindex = tun_ifindex(cfg.tun_device);
  for (const auto& a : cfg.tun_ip)
    if (!netlink_add_address(ifindex, a, err)) return fail(fmt::format("tun-ip: {}", err));
  for (const auto& a : cfg.tun_route)
    if (!netlink_add_route(ifindex, a, err)) return fail(fmt::format("tun-route: {}", err));

  if (!drop_privileges(id, o.chroot ? cfg.data_dir : std::string(), err)) return fail(err);

  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGQUIT, SIGTERM}) sigaddset(&set, s);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  int sfd = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sfd < 0) return fail(fmt::format("signalfd: {}", std::strerror(errno)));

  log_startup(cfg, mtu, tun, wanted_workers);
  load_dynamic_map(map, cfg);

  EventLoop loop(cfg, map, tun, sfd, static_cast<uint32_t>(mtu));
  MetricsServer metrics;
  if (!cfg.metrics_addr.empty()) {
    const std::vector<const Counters*> workers = loop.counters();
    PublishedState& st = loop.published();
    const bool has_pool = map.pool() != nullptr, offload = tun.vnet_hdr, uring = tun.uring;
    if (!metrics.start(
            cfg.metrics_addr,
            [&st, workers, has_pool, offload, uring] {
              MetricsSnapshot s;
              s.tun_io = uring ? "uring" : "readwrite";
              s.workers = workers;
              s.offload = offload;
              s.has_pool = has_pool;
              s.pool_active = st.pool_active;
              s.pool_dormant = st.pool_dormant;
              s.pool_size = st.pool_size;
              s.tun_mtu = st.tun_mtu;
              s.worker_count = static_cast<uint32_t>(workers.size());
              return render_metrics(s);
            },
            err))
      return fail(err);
    log_info("Serving metrics on {}", cfg.metrics_addr);
  }
  if (target == LogTarget::journal) notify_ready();
  const int rc = loop.run();
  metrics.stop();
  tun_close(tun);
  return rc;
}
