#include "plugins/hosts/hosts.h"

#include <fcntl.h>
#include <malloc.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/dns/builder.h"
#include "core/dns/reply.h"
#include "core/metrics/metrics.h"
#include "core/util/log.h"
#include "plugins/hosts/parse.h"

namespace coredns::plugins::hosts {
namespace {

const log::PluginLogger logger = log::plugin_logger("hosts");

metrics::GaugeFamily& entries_gauge() {
  return metrics::Registry::global().gauge(
      "coredns_hosts_entries", "The combined number of entries in hosts and Corefile.",
      {"hostsfile"});
}

metrics::GaugeFamily& reload_gauge() {
  return metrics::Registry::global().gauge("coredns_hosts_reload_timestamp_seconds",
                                           "The timestamp of the last reload of hosts file.", {});
}

FileStamp stamp_of(const struct stat& st) {
  return {int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec, int64_t{st.st_size},
          uint64_t{st.st_ino}};
}

// A reply stops growing before the 64 KiB a DNS message can hold (a PTR for a block list's
// 0.0.0.0 would otherwise list every name); the server then truncates it for the client.
constexpr size_t kReplyBudget = 65535 - 300;

// An entry a name matched, its record read once for the whole query.
struct Match {
  bool found = false;
  Store::Addresses addrs;  // empty when not found

  Match() = default;
  Match(const Store& s, Store::Entry e) : found(e != Store::kNone) {
    if (found) addrs = s.addresses(e);
  }
  const Refs& family(bool v4) const { return v4 ? addrs.v4 : addrs.v6; }
};

struct Lookup {
  Match exact;
  Match wild;
};

Lookup lookup(const Store& s, const dns::Name& q) {
  Lookup l;
  l.exact = Match(s, s.find(q.wire()));
  // A table's wildcard counts only for a family its exact entry lacks (CoreDNS keeps them in
  // separate per-family maps), so look it up unless the exact entry has both.
  if (l.exact.addrs.v4.empty() || l.exact.addrs.v6.empty())
    l.wild = Match(s, s.find_wildcard(q));
  return l;
}

dns::Header reply_header(const Request& req) {
  dns::Header h = dns::reply_header(req.msg());
  h.set(dns::Header::AA);
  return h;
}

}  // namespace

std::unique_ptr<Store> load_file(const std::string& path, const ZoneSet& zones, bool reverse,
                                 FileStamp* stamp) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat st{};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    ::close(fd);
    return nullptr;
  }
  if (stamp) *stamp = stamp_of(st);
  StoreBuilder b(reverse);
  if (st.st_size > 0) {
    void* map = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
      ::close(fd);
      return nullptr;
    }
    ::madvise(map, static_cast<size_t>(st.st_size), MADV_SEQUENTIAL);
    parse_hosts({static_cast<const char*>(map), static_cast<size_t>(st.st_size)}, zones, b);
    ::munmap(map, static_cast<size_t>(st.st_size));
  }
  ::close(fd);
  return std::make_unique<Store>(b.finish());
}

int reverse_address(const dns::Name& lowered, uint8_t out[16]) {
  const uint8_t* w = lowered.data();
  std::string_view labels[34];
  int n = 0;
  for (size_t off = 0; w[off] != 0 && n < 34; off += w[off] + 1)
    labels[n++] = {reinterpret_cast<const char*>(w + off + 1), w[off]};
  if (n == 6 && labels[4] == "in-addr" && labels[5] == "arpa") {
    for (int i = 0; i < 4; ++i) {
      std::string_view l = labels[3 - i];
      if (l.empty() || l.size() > 3 || (l.size() > 1 && l[0] == '0')) return 0;
      unsigned v = 0;
      for (char c : l) {
        if (c < '0' || c > '9') return 0;
        v = v * 10 + static_cast<unsigned>(c - '0');
      }
      if (v > 255) return 0;
      out[i] = static_cast<uint8_t>(v);
    }
    return 4;
  }
  if (n == 34 && labels[32] == "ip6" && labels[33] == "arpa") {
    for (int i = 0; i < 32; ++i) {
      std::string_view l = labels[31 - i];
      if (l.size() != 1) return 0;
      char c = l[0];
      unsigned v;
      if (c >= '0' && c <= '9')
        v = static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v = static_cast<unsigned>(c - 'a' + 10);
      else
        return 0;
      if (i % 2 == 0)
        out[i / 2] = static_cast<uint8_t>(v << 4);
      else
        out[i / 2] |= static_cast<uint8_t>(v);
    }
    return 16;
  }
  return 0;
}

Hosts::Hosts(Options o) : opt_(std::move(o)), zones_(opt_.zones) {
  StoreBuilder b(opt_.reverse);
  parse_hosts(opt_.inline_text, zones_, b);
  inline_ = b.finish();
}

Hosts::~Hosts() { stop(); }

std::optional<Response> Hosts::answer(const Request& req) const {
  const dns::Name& q = req.qname_lower();
  const uint16_t qtype = req.qtype();
  if (qtype != dns::type::PTR && !zones_.contains(q)) return std::nullopt;

  Published<Store>::Reader file(file_);
  const Store* tables[2] = {file.get(), &inline_};
  std::vector<uint8_t> out;
  dns::MessageBuilder b(out, reply_header(req));
  b.add_question_from(req.msg());
  size_t answers = 0;

  if (qtype == dns::type::PTR) {
    uint8_t addr[16];
    int len = reverse_address(q, addr);
    if (len == 0) return std::nullopt;
    for (const Store* t : tables) {
      if (!t) continue;
      auto names = len == 4 ? t->names_of_v4(addr) : t->names_of_v6(addr);
      for (uint32_t e : names) {
        if (b.size() > kReplyBudget) break;
        dns::Name target;
        dns::Name::from_wire(t->name_wire(e), target);
        b.add_name_record(dns::Section::answer, q, dns::type::PTR, dns::cls::IN, opt_.ttl, target);
        answers++;
      }
    }
    if (answers == 0) return std::nullopt;
  } else {
    bool exists = false;
    for (const Store* t : tables) {
      if (!t) continue;
      const Lookup l = lookup(*t, q);
      exists = exists || l.exact.found || l.wild.found;
      if (qtype != dns::type::A && qtype != dns::type::AAAA) continue;
      const bool v4 = qtype == dns::type::A;
      const Refs& refs = l.exact.family(v4).empty() ? l.wild.family(v4) : l.exact.family(v4);
      for (uint32_t i : refs) {
        if (b.size() > kReplyBudget) break;
        b.add_record(dns::Section::answer, q, qtype, dns::cls::IN, opt_.ttl,
                     {v4 ? t->v4(i) : t->v6(i), v4 ? 4u : 16u});
        answers++;
      }
    }
    if (answers == 0) {
      // CoreDNS answers SERVFAIL for a name it does not have (it has no SOA for an NXDOMAIN),
      // and NODATA for one it has with the other family or for another type.
      if (!exists) {
        if (opt_.fall.through(q)) return std::nullopt;
        return Response::unwritten(dns::rcode::SERVFAIL);
      }
      if (qtype != dns::type::A && qtype != dns::type::AAAA && opt_.fall_unsupported &&
          opt_.fall.through(q))
        return std::nullopt;
    }
  }
  b.finish();
  return Response::reply(std::move(out), dns::rcode::NOERROR, name());
}

Task<Response> Hosts::serve(Request& req, Next next) {
  if (auto r = answer(req)) co_return std::move(*r);
  co_return co_await next(req);
}

bool Hosts::refresh() {
  struct stat st{};
  if (::stat(opt_.path.c_str(), &st) != 0) {
    // The last contents stay in service, as CoreDNS keeps them; say so once.
    if (!missing_logged_ && stamp_.mtime_ns >= 0)
      logger.warning(fmt::format("Hosts file {} is gone; still answering from its last contents",
                                 opt_.path));
    missing_logged_ = true;
    return false;
  }
  missing_logged_ = false;
  if (S_ISDIR(st.st_mode) || stamp_of(st) == stamp_) return false;
  FileStamp stamp;
  auto store = load_file(opt_.path, zones_, opt_.reverse, &stamp);
  if (!store) return false;
  const size_t size = store->size();
  file_.publish(std::move(store));
#ifdef __GLIBC__
  // The large arrays of the old table and of the builder went back to the system when freed
  // (pages.h); the small blocks (the address maps' nodes, a small file's arrays) are in malloc's
  // heaps, which keep freed pages mapped until asked.
  ::malloc_trim(0);
#endif
  stamp_ = stamp;
  entries_gauge().with({opt_.path}).set(static_cast<double>(size + inline_.size()));
  reload_gauge().with({}).set(static_cast<double>(stamp.mtime_ns) / 1e9);
  logger.debug(fmt::format("Parsed hosts file into {} entries", size));
  return true;
}

void Hosts::start() {
  refresh();
  if (opt_.reload.count() <= 0 || thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { run(); });
}

void Hosts::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Hosts::run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, opt_.reload, [this] { return stop_; })) {
    lock.unlock();
    refresh();
    lock.lock();
  }
}

}  // namespace coredns::plugins::hosts
